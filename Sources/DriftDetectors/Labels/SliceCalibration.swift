import Foundation
import DriftCore

/// Each feature's rows split in two by a rule fitted on the reference: numeric features at the
/// reference frauds' median, categorical ones into the levels whose fraud rate is above the overall
/// rate and the rest. The slice calibration check compares, within each score band, how the two
/// slices' frauds move between reference and production.
public struct FeatureSlices: Sendable, Equatable {
    /// One feature's rule: numeric, slice 1 holds the values >= `cut` (missing in slice 0);
    /// categorical, slice 1 holds the `levels` (missing in slice 0).
    public struct Split: Sendable, Equatable, CustomStringConvertible {
        public let feature: String
        public let cut: Double
        public let levels: [String]
        public let isCategorical: Bool

        public var description: String {
            isCategorical ? "\(feature) in {\(levels.joined(separator: ", "))}" : "\(feature) >= \(cut)"
        }
    }

    /// A row's slices are the bits of one UInt32.
    public static let maximumFeatures = 32
    public let splits: [Split]
    public var features: [String] { splits.map(\.feature) }

    public init(splits: [Split]) { self.splits = Array(splits.prefix(Self.maximumFeatures)) }

    /// Fits a rule per column of `table` (or of `features`, in that order) on its rows and fraud flags;
    /// a column none of whose rules splits both the rows and the frauds (constant, all missing, every
    /// fraud on one value) is left out.
    public init(table: Table, frauds: [Bool], features: [String]? = nil) {
        var splits: [Split] = []
        let n = Swift.min(table.rowCount, frauds.count)
        for name in features ?? table.columnNames {
            guard let column = table[name], splits.count < Self.maximumFeatures else { continue }
            switch column {
            case .numeric(let v):
                var fraudValues: [Double] = [], lowest = Double.infinity
                for i in 0..<n where v[i].isFinite {
                    lowest = Swift.min(lowest, v[i])
                    if frauds[i] { fraudValues.append(v[i]) }
                }
                guard !fraudValues.isEmpty else { continue }
                let sorted = RadixSort.sortedDroppingNaN(fraudValues).sorted
                var cut = sorted[sorted.count / 2]
                if cut <= lowest {
                    // Every row is at or above the median (a 0/1 flag whose median is its minimum): the
                    // cut moves to the smallest fraud value above it, so slice 0 is the minimum.
                    guard let above = sorted.first(where: { $0 > cut }) else { continue }
                    cut = above
                }
                splits.append(Split(feature: name, cut: cut, levels: [], isCategorical: false))
            case .categorical(let c):
                var rows = [Int](repeating: 0, count: c.levels.count), bad = rows
                var totalRows = 0, totalFrauds = 0
                for i in 0..<n where c.codes[i] >= 0 && Int(c.codes[i]) < c.levels.count {
                    rows[Int(c.codes[i])] += 1; totalRows += 1
                    if frauds[i] { bad[Int(c.codes[i])] += 1; totalFrauds += 1 }
                }
                guard totalFrauds > 0 else { continue }
                let rate = Double(totalFrauds) / Double(totalRows)
                let risky = c.levels.indices.filter { rows[$0] > 0 && Double(bad[$0]) > rate * Double(rows[$0]) }
                let seen = c.levels.indices.filter { rows[$0] > 0 }
                guard !risky.isEmpty, risky.count < seen.count else { continue }
                splits.append(Split(feature: name, cut: 0, levels: risky.map { c.levels[$0] }, isCategorical: true))
            }
        }
        self.init(splits: splits)
    }

    /// Per row of `table`, bit j set where the row is in slice 1 of split j. A feature missing from
    /// the table leaves its bit clear on every row.
    public func membership(_ table: Table) -> [UInt32] {
        var bits = [UInt32](repeating: 0, count: table.rowCount)
        for (j, split) in splits.enumerated() {
            guard let column = table[split.feature] else { continue }
            let bit = UInt32(1) << UInt32(j)
            switch column {
            case .numeric(let v) where !split.isCategorical:
                for i in bits.indices where v[i] >= split.cut { bits[i] |= bit }
            case .categorical(let c) where split.isCategorical:
                let inSlice = c.levels.map { split.levels.contains($0) }
                for i in bits.indices where c.codes[i] >= 0 && Int(c.codes[i]) < inSlice.count && inSlice[Int(c.codes[i])] {
                    bits[i] |= bit
                }
            default:
                continue  // the column changed type (a schema change): every row counts as slice 0
            }
        }
        return bits
    }
}

/// The reference's rows and reported frauds per feature, score band and slice: what the slice
/// calibration check compares production against. Cell (j, b, s) is at index (j·bands + b)·2 + s.
public struct SliceReference: Sendable, Equatable {
    public let features: [String]
    public let bands: Int
    public let rows: [Double]
    public let frauds: [Double]

    /// Counts the rows of a reference log by the bands of `bands` and the log's slice bits.
    init?(features: [String], bits: [UInt32], bandOf: [Int], reported: [Bool], bands: Int) {
        guard !features.isEmpty, bands > 0 else { return nil }
        self.features = features
        self.bands = bands
        var rows = [Double](repeating: 0, count: features.count * bands * 2), frauds = rows
        for i in bits.indices {
            for j in features.indices {
                let k = (j * bands + bandOf[i]) * 2 + Int((bits[i] >> UInt32(j)) & 1)
                rows[k] += 1
                if reported[i] { frauds[k] += 1 }
            }
        }
        self.rows = rows; self.frauds = frauds
    }
}

extension LabelMonitors {
    /// Slice calibration: whether, among rows the model scores alike, a feature's slices changed their
    /// fraud rates against each other (a feature's effect weakened, flipped or appeared: concept drift
    /// that moves frauds between rows of equal score). Per feature j, in each score band b and slice s,
    /// the arrived chargebacks O_bs of the cohorts aged 1 to the chargeback window (exposure
    /// W_bs = Σ cov(age)) against the reference's frauds F_bs of N_bs rows; given T_bs = F_bs + O_bs,
    /// O_bs is binomial with logit π_bs = ln(W_bs/N_bs) + α_b + δ·s. The band terms α_b absorb any change
    /// common to a band (a prior shift, a change of reporting, the score-band tilt), W_bs a covariate
    /// shift; δ is the log odds ratio of slice 1's change over slice 0's. Score test of δ = 0 (a
    /// stratified, Mantel–Haenszel-type test): z = U/√(φ·I), U = Σ_b (O_b1 - T_b1·π_b1),
    /// I = Σ_b V_b0·V_b1/(V_b0 + V_b1), V = T·π(1 - π), two-sided, Bonferroni over the features. Alarm
    /// when the adjusted p < alpha and |δ̂| = |U/I| >= ln(`sliceMinimumOddsRatio`). Features: those that
    /// pass, strongest first. Statistic: the first one's odds ratio e^δ̂. Indicates `.conceptDrift`.
    public static func sliceCalibration(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                                        configuration c: LabelConfiguration = .init()) -> DetectorResult {
        let quiet = { (arrived: Int, tested: Int) in
            DetectorResult(detector: "slice_calibration", features: ["label"], statistic: 1, pValue: 1,
                           threshold: c.sliceMinimumOddsRatio, alarm: false, indicates: .conceptDrift,
                           details: ["arrived": Double(arrived), "features_tested": Double(tested)])
        }
        let (m, tested, tests) = sliceReadings(log: log, asOf: t, reference: reference, configuration: c)
        guard !tests.isEmpty else { return quiet(m, tested) }
        let floor = Foundation.log(Swift.max(1, c.sliceMinimumOddsRatio))
        let adjusted = { (p: Double) in Swift.min(1, p * Double(tests.count)) }
        let ranked = tests.sorted { $0.p < $1.p || ($0.p == $1.p && $0.feature < $1.feature) }
        let passing = ranked.filter { adjusted($0.p) < c.alpha && Swift.abs($0.delta) >= floor }
        let top = passing.first ?? ranked[0]
        return DetectorResult(detector: "slice_calibration", features: passing.isEmpty ? [top.feature] : passing.map(\.feature),
                              statistic: exp(top.delta), pValue: adjusted(top.p), threshold: c.sliceMinimumOddsRatio,
                              alarm: !passing.isEmpty, indicates: .conceptDrift,
                              details: ["z": top.z, "log_odds_ratio": top.delta, "arrived": Double(m),
                                        "features_tested": Double(tests.count), "features_passing": Double(passing.count)])
    }

    /// One feature's reading: z = U/√(φ·I), the one-step estimate δ̂ = U/I and the two-sided p.
    struct SliceReading { let feature: String; let z: Double; let delta: Double; let p: Double }

    /// The arrived chargebacks counted, the features with slices, and a reading per feature whose test
    /// has information (`sliceCalibration`, before the multiple-testing step).
    static func sliceReadings(log: LabelledLog, asOf t: Int32, reference: LabelReference,
                              configuration c: LabelConfiguration) -> (arrived: Int, features: Int, readings: [SliceReading]) {
        guard let slices = reference.slices, log.sliceFeatures == slices.features, log.slices.count >= log.count else {
            return (0, 0, [])
        }
        let nb = slices.bands, nf = slices.features.count
        var exposure = [Double](repeating: 0, count: nf * nb * 2), arrived = exposure
        var m = 0
        forEachCohortRow(log: log, asOf: t, reference: reference, configuration: c) { i, b, w, hit in
            if hit { m += 1 }
            let bits = log.slices[i]
            for j in 0..<nf {
                let k = (j * nb + b) * 2 + Int((bits >> UInt32(j)) & 1)
                exposure[k] += w
                if hit { arrived[k] += 1 }
            }
        }
        guard m > 0 else { return (0, nf, []) }
        let phi = Swift.max(1, c.dispersion)
        var readings: [SliceReading] = []
        for j in 0..<nf {
            let cells = j * nb * 2..<(j + 1) * nb * 2
            let test = SliceTest(rows: slices.rows[cells], frauds: slices.frauds[cells], exposure: exposure[cells],
                                 arrived: arrived[cells])
            guard test.information > 0 else { continue }
            let z = test.score / (phi * test.information).squareRoot()
            readings.append(SliceReading(feature: slices.features[j], z: z, delta: test.score / test.information,
                                         p: 2 * SpecialFunctions.normalSurvival(Swift.abs(z))))
        }
        return (m, nf, readings)
    }

    /// One feature's stratified score test (`sliceCalibration`): cells are (band, slice) pairs, slice
    /// fastest. A band counts when both its slices have reference rows and exposure and its arrivals
    /// are neither none nor all of its frauds.
    struct SliceTest {
        /// U and I of the score test of δ = 0 with each band's α_b fitted.
        var score = 0.0, information = 0.0

        init(rows: ArraySlice<Double>, frauds: ArraySlice<Double>, exposure: ArraySlice<Double>, arrived: ArraySlice<Double>) {
            let n = Array(rows), f = Array(frauds), w = Array(exposure), o = Array(arrived)
            for b in 0..<(n.count / 2) {
                let c0 = 2 * b, c1 = 2 * b + 1
                guard n[c0] > 0, n[c1] > 0, w[c0] > 0, w[c1] > 0 else { continue }
                let t0 = f[c0] + o[c0], t1 = f[c1] + o[c1], total = o[c0] + o[c1]
                guard total > 0, total < t0 + t1 else { continue }
                let offset0 = log(w[c0] / n[c0]), offset1 = log(w[c1] / n[c1])
                let alpha = Self.bandTerm(t0, t1, offset0, offset1, arrived: total)
                let p0 = 1 / (1 + exp(-(offset0 + alpha))), p1 = 1 / (1 + exp(-(offset1 + alpha)))
                let v0 = t0 * p0 * (1 - p0), v1 = t1 * p1 * (1 - p1)
                guard v0 + v1 > 0 else { continue }
                score += o[c1] - t1 * p1
                information += v0 * v1 / (v0 + v1)
            }
        }

        /// α solving T0·σ(o0 + α) + T1·σ(o1 + α) = O (increasing in α; 0 < O < T0 + T1): Newton steps kept
        /// inside a bisection bracket.
        static func bandTerm(_ t0: Double, _ t1: Double, _ o0: Double, _ o1: Double, arrived: Double) -> Double {
            var lo = -60 - Swift.max(o0, o1), hi = 60 - Swift.min(o0, o1)
            var a = log(arrived / (t0 + t1 - arrived)) - (t0 * o0 + t1 * o1) / (t0 + t1)
            for _ in 0..<100 {
                let p0 = 1 / (1 + exp(-(o0 + a))), p1 = 1 / (1 + exp(-(o1 + a)))
                let g = t0 * p0 + t1 * p1 - arrived, slope = t0 * p0 * (1 - p0) + t1 * p1 * (1 - p1)
                if g > 0 { hi = a } else { lo = a }
                if Swift.abs(g) < 1e-12 * Swift.max(1, arrived) { break }
                var next = slope > 0 ? a - g / slope : (lo + hi) / 2
                if !(next > lo && next < hi) { next = (lo + hi) / 2 }
                a = next
            }
            return a
        }
    }
}
