import DriftCore
import Foundation

/// Gradient-boosted depth-one trees on the logistic loss, with histogram split finding and Newton
/// leaf values, as LightGBM and scikit-learn's `HistGradientBoostingClassifier(max_depth=1)`:
/// each round fits one split to g = sigma(F) - y, h = sigma(F)(1 - sigma(F)) with
/// gain = G_L^2/(H_L+l2) + G_R^2/(H_R+l2) - G^2/(H+l2) and leaf value -learningRate G/(H+l2).
public enum GradientBoostedStumps {
    public struct Configuration: Sendable, Equatable {
        public var rounds: Int = 200
        public var learningRate: Double = 0.1
        /// Each side of a split keeps at least this many training rows (scikit-learn's `min_samples_leaf`).
        public var minSamplesLeaf: Int = 20
        /// L2 penalty on leaf values (`l2_regularization`).
        public var l2: Double = 0
        /// Each side needs at least this hessian sum (`min_hessian_to_split`).
        public var minHessian: Double = 1e-3
        /// Non-missing histogram bins per numeric feature, at most 255.
        public var maxBins: Int = 255
        /// Early stopping (when a validation set is given): stop after this many rounds without a
        /// validation log-loss improvement larger than `earlyStoppingTolerance`, keep the best round.
        public var earlyStoppingRounds: Int = 10
        public var earlyStoppingTolerance: Double = 1e-7
        /// Threads for histogram building; the fitted model does not depend on it.
        public var jobs: Int = 1
        public init() {}
        public init(rounds: Int, learningRate: Double) { self.rounds = rounds; self.learningRate = learningRate }
    }

    /// Rows per work chunk: fixed, so histogram sums are added in the same order on any thread count.
    static let chunkRows = 32768
    /// Categories with fewer rows than this are left out of the gradient sort (scikit-learn's MIN_CAT_SUPPORT).
    static let minCategorySupport = 10.0

    /// Fits on `train` (bins and 0/1 labels). With `validation`, stops early on its log loss.
    /// `categorical[f]` says whether feature f is categorical (its bins are unordered).
    public static func fit(_ train: BinnedMatrix, labels: [UInt8], categorical: [Bool],
                           validation: (BinnedMatrix, [UInt8])? = nil,
                           configuration: Configuration = .init()) throws -> GradientBoostedStumpsModel {
        let n = train.rows, d = train.features
        guard labels.count == n, categorical.count == d else {
            throw ModelError.invalidConfiguration("\(labels.count) labels and \(categorical.count) feature kinds for \(n) rows x \(d) features")
        }
        guard n > 0 else { throw ModelError.noRows }
        guard configuration.rounds >= 0, configuration.learningRate > 0, configuration.minSamplesLeaf >= 1, configuration.l2 >= 0 else {
            throw ModelError.invalidConfiguration("rounds >= 0, learningRate > 0, minSamplesLeaf >= 1 and l2 >= 0 are required")
        }
        let positives = labels.reduce(0) { $0 + Int($1) }
        if positives == 0 || positives == n { throw ModelError.oneClass(column: "label", value: positives == 0 ? 0 : 1, rows: n) }
        let prior = Double(positives) / Double(n)
        let base = log(prior / (1 - prior))

        // Row counts per bin never change: count them once.
        var counts = [Double](repeating: 0, count: d * 256)
        train.bins.withUnsafeBufferPointer { b in
            for f in 0..<d { for i in 0..<n { counts[f * 256 + Int(b[f * n + i])] += 1 } }
        }
        let plan = HistogramPlan(counts: counts, features: d)
        // exp(-F) per row: a stump adds one of a few values to F, so exp(-F) is updated by a
        // multiply with exp(-value) looked up per bin instead of an exp per row and round.
        var expNegScores = [Double](repeating: exp(-base), count: n)
        var validScores = validation.map { [Double](repeating: base, count: $0.0.rows) } ?? []
        var stumps: [Stump] = []
        var bestLoss = Double.infinity, bestRounds = 0, sinceBest = 0
        var pending: (feature: Int, factor: [Double])? = nil
        let chunks = (n + chunkRows - 1) / chunkRows

        for _ in 0..<configuration.rounds {
            // Apply the previous round's stump, then histogram the new gradients, chunk by chunk.
            let trainBox = UnsafeSendable(train), labelBox = UnsafeSendable(labels)
            let update = pending
            let parts = try expNegScores.withUnsafeMutableBufferPointer { buffer -> [[Double]] in
                let scoreBuffer = UnsafeSendable(buffer)  // chunks write disjoint row ranges
                return try Parallel.map(chunks, jobs: configuration.jobs) { c -> [Double] in
                    histogramChunk(c, train: trainBox.value, plan: plan, labels: labelBox.value,
                                   expNegScores: scoreBuffer.value, update: update)
                }
            }
            pending = nil
            var hist = [Double](repeating: 0, count: d * 512)
            for part in parts { for k in 0..<hist.count { hist[k] += part[k] } }
            guard let best = bestSplit(hist: hist, counts: counts, categorical: categorical, train: train,
                                       configuration: configuration) else { break }
            let stump = best
            stumps.append(stump)
            pending = (stump.feature, stump.table.map { exp(-$0) })
            if let (vx, vy) = validation {
                let loss = try validationLoss(stump, validation: vx, labels: vy, scores: &validScores, jobs: configuration.jobs)
                if loss < bestLoss - configuration.earlyStoppingTolerance {
                    bestLoss = loss; bestRounds = stumps.count; sinceBest = 0
                } else {
                    sinceBest += 1
                    if sinceBest >= configuration.earlyStoppingRounds { break }
                }
            }
        }
        if validation != nil && bestRounds < stumps.count { stumps.removeLast(stumps.count - bestRounds) }
        return GradientBoostedStumpsModel(featureNames: train.featureNames, categorical: categorical, baseScore: base,
                                          stumps: stumps, configuration: configuration)
    }

    /// Adds `stump` to the validation margins and returns the validation log loss, exactly as
    /// `Metrics.logLoss(probabilities: scores.map(sigmoid), labels:)` computes it: the per-row
    /// terms (an exp and a log each) on `jobs` threads by fixed chunks, summed in row order.
    static func validationLoss(_ stump: Stump, validation vx: BinnedMatrix, labels vy: [UInt8], scores: inout [Double],
                               jobs: Int) throws -> Double {
        let n = vx.rows
        guard n > 0, vy.count == n else { return .nan }
        let delta = stump.table, eps = Double.ulpOfOne
        let chunks = (n + chunkRows - 1) / chunkRows
        let parts = try scores.withUnsafeMutableBufferPointer { buffer -> [[Double]] in
            let box = UnsafeSendable(buffer), x = UnsafeSendable(vx), y = UnsafeSendable(vy)  // chunks touch disjoint rows
            return try Parallel.map(chunks, jobs: jobs) { c -> [Double] in
                let lo = c * chunkRows, hi = Swift.min(n, lo + chunkRows)
                var terms = [Double](repeating: 0, count: hi - lo)
                x.value.bins.withUnsafeBufferPointer { b in
                    let column = b.baseAddress! + stump.feature * n, z = box.value
                    for i in lo..<hi {
                        z[i] += delta[Int(column[i])]
                        let q = Swift.min(Swift.max(sigmoid(z[i]), eps), 1 - eps)
                        terms[i - lo] = y.value[i] != 0 ? log(q) : log(1 - q)
                    }
                }
                return terms
            }
        }
        var s = 0.0
        for part in parts { for t in part { s -= t } }
        return s / Double(n)
    }

    /// How each feature's gradient histogram is built, chosen once per fit from the bin counts.
    /// Features with at most 4 occupied bins keep their sums in registers: every row adds (g, h)
    /// masked to its bin's lane, so the other lanes add an exact +0.0, which changes no sum (none
    /// is ever -0.0: g = p - y and h = p(1 - p) are never -0.0). The others add into a 256-cell
    /// table per feature. Four features share each pass over the rows so their dependency chains
    /// overlap. Either way every bin sums its rows in row order, as a plain loop would.
    struct HistogramPlan: Sendable {
        /// Groups of up to 4 features with at most 2 occupied bins (`lanes2`) or at most 4 (`lanes4`),
        /// and the rest (`tables`). Lane k of a feature is its k-th occupied bin (`laneBins`).
        let lanes2: [[Int]], lanes4: [[Int]], tables: [[Int]]
        let laneBins: [[Int]]
        /// `laneOf[f * 256 + bin]`: the lane of `bin` in feature f.
        let laneOf: [UInt8]
        static let group = 4

        init(counts: [Double], features d: Int) {
            var l2: [Int] = [], l4: [Int] = [], t: [Int] = []
            var laneBins = [[Int]](repeating: [], count: d)
            var laneOf = [UInt8](repeating: 0, count: d * 256)
            for f in 0..<d {
                let occupied = (0..<256).filter { counts[f * 256 + $0] > 0 }
                if occupied.count <= 4 {
                    laneBins[f] = occupied
                    for (k, b) in occupied.enumerated() { laneOf[f * 256 + b] = UInt8(k) }
                    if occupied.count <= 2 { l2.append(f) } else { l4.append(f) }
                } else { t.append(f) }
            }
            func groups(_ fs: [Int]) -> [[Int]] {
                stride(from: 0, to: fs.count, by: HistogramPlan.group).map { Array(fs[$0..<Swift.min(fs.count, $0 + HistogramPlan.group)]) }
            }
            // Padding slots of a short group cost full adds: two-bin features fill whole groups of 4,
            // the rest join the four-bin groups (a two-bin feature fits a four-lane slot).
            let whole = l2.count / HistogramPlan.group * HistogramPlan.group
            lanes2 = groups(Array(l2[..<whole])); lanes4 = groups(Array(l2[whole...]) + l4)
            // Table features dealt round-robin over the fewest groups of at most 4, so group sizes
            // differ by at most one (a group of 1 would leave its feature's chains exposed).
            let k = (t.count + HistogramPlan.group - 1) / HistogramPlan.group
            tables = (0..<k).map { j in stride(from: j, to: t.count, by: k).map { t[$0] } }
            self.laneBins = laneBins; self.laneOf = laneOf
        }
    }

    /// For chunk c: apply the previous stump to exp(-F) (`update`: feature and exp(-value) per bin),
    /// compute g = p - y and h = p(1 - p) with p = 1 / (1 + exp(-F)), and add (g, h) to every
    /// feature's histogram (see `HistogramPlan`). Returns the chunk's sums in the (feature, bin)
    /// layout of `bestSplit`: `[f * 512 + 2 * bin]` = G, `+ 1` = H.
    static func histogramChunk(_ c: Int, train: BinnedMatrix, plan: HistogramPlan, labels: [UInt8],
                               expNegScores: UnsafeMutableBufferPointer<Double>,
                               update: (feature: Int, factor: [Double])?) -> [Double] {
        let n = train.rows, d = train.features
        let start = c * chunkRows, end = Swift.min(n, start + chunkRows)
        let group = HistogramPlan.group
        // Tables: 256 (G, H) cells per feature.
        var tables = [SIMD2<Double>](repeating: .zero, count: d * 256)
        var acc2 = [SIMD4<Double>](repeating: .zero, count: plan.lanes2.count * group)
        var acc4 = [SIMD8<Double>](repeating: .zero, count: plan.lanes4.count * group)
        // One-hot masks per lane, as bit patterns (all ones on the lane's G and H).
        let ones = UInt64.max
        let mask2: [SIMD4<UInt64>] = [SIMD4(ones, ones, 0, 0), SIMD4(0, 0, ones, ones)]
        let mask4: [SIMD8<UInt64>] = (0..<4).map { k in SIMD8((0..<8).map { $0 / 2 == k ? ones : 0 }) }
        let blockRows = 1024
        var gh = [SIMD2<Double>](repeating: .zero, count: blockRows)
        train.bins.withUnsafeBufferPointer { bins in
        labels.withUnsafeBufferPointer { y in
        plan.laneOf.withUnsafeBufferPointer { laneOf in
        tables.withUnsafeMutableBufferPointer { tables in
        acc2.withUnsafeMutableBufferPointer { acc2 in
        acc4.withUnsafeMutableBufferPointer { acc4 in
        mask2.withUnsafeBufferPointer { mask2 in
        mask4.withUnsafeBufferPointer { mask4 in
        gh.withUnsafeMutableBufferPointer { gh in
            let ghb = gh.baseAddress!
            var blockStart = start
            while blockStart < end {
                let m = Swift.min(blockRows, end - blockStart)
                let e = expNegScores.baseAddress! + blockStart
                if let (f, factor) = update {
                    factor.withUnsafeBufferPointer { t in
                        let col = bins.baseAddress! + f * n + blockStart
                        for k in 0..<m { e[k] *= t[Int(col[k])] }
                    }
                }
                let yb = y.baseAddress! + blockStart
                for k in 0..<m {
                    let p = 1 / (1 + e[k])
                    ghb[k] = SIMD2(p - Double(yb[k]), p * (1 - p))
                }
                // The column of feature slot s of a group (padding slots repeat the group's first feature).
                func column(_ g: [Int], _ s: Int) -> UnsafePointer<UInt8> {
                    bins.baseAddress! + (s < g.count ? g[s] : g[0]) * n + blockStart
                }
                func lanes(_ g: [Int], _ s: Int) -> UnsafePointer<UInt8> {
                    laneOf.baseAddress! + (s < g.count ? g[s] : g[0]) * 256
                }
                for (j, g) in plan.lanes2.enumerated() {
                    let c0 = column(g, 0), c1 = column(g, 1), c2 = column(g, 2), c3 = column(g, 3)
                    let l0 = lanes(g, 0), l1 = lanes(g, 1), l2 = lanes(g, 2), l3 = lanes(g, 3)
                    let a = acc2.baseAddress! + j * group
                    var a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3]
                    for k in 0..<m {
                        let v = ghb[k]
                        let bits = unsafeBitCast(SIMD4(lowHalf: v, highHalf: v), to: SIMD4<UInt64>.self)
                        a0 += unsafeBitCast(bits & mask2[Int(l0[Int(c0[k])])], to: SIMD4<Double>.self)
                        a1 += unsafeBitCast(bits & mask2[Int(l1[Int(c1[k])])], to: SIMD4<Double>.self)
                        a2 += unsafeBitCast(bits & mask2[Int(l2[Int(c2[k])])], to: SIMD4<Double>.self)
                        a3 += unsafeBitCast(bits & mask2[Int(l3[Int(c3[k])])], to: SIMD4<Double>.self)
                    }
                    a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3
                }
                for (j, g) in plan.lanes4.enumerated() {
                    let c0 = column(g, 0), c1 = column(g, 1), c2 = column(g, 2), c3 = column(g, 3)
                    let l0 = lanes(g, 0), l1 = lanes(g, 1), l2 = lanes(g, 2), l3 = lanes(g, 3)
                    let a = acc4.baseAddress! + j * group
                    var a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3]
                    for k in 0..<m {
                        let v = ghb[k]
                        let v4 = SIMD4(lowHalf: v, highHalf: v)
                        let bits = unsafeBitCast(SIMD8(lowHalf: v4, highHalf: v4), to: SIMD8<UInt64>.self)
                        a0 += unsafeBitCast(bits & mask4[Int(l0[Int(c0[k])])], to: SIMD8<Double>.self)
                        a1 += unsafeBitCast(bits & mask4[Int(l1[Int(c1[k])])], to: SIMD8<Double>.self)
                        a2 += unsafeBitCast(bits & mask4[Int(l2[Int(c2[k])])], to: SIMD8<Double>.self)
                        a3 += unsafeBitCast(bits & mask4[Int(l3[Int(c3[k])])], to: SIMD8<Double>.self)
                    }
                    a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3
                }
                for g in plan.tables {
                    func table(_ s: Int) -> UnsafeMutablePointer<SIMD2<Double>> { tables.baseAddress! + g[s] * 256 }
                    // One loop per group size: padding slots would add into one scratch cell and chain.
                    switch g.count {
                    case 4:
                        let c0 = column(g, 0), c1 = column(g, 1), c2 = column(g, 2), c3 = column(g, 3)
                        let t0 = table(0), t1 = table(1), t2 = table(2), t3 = table(3)
                        for k in 0..<m {
                            let v = ghb[k]
                            t0[Int(c0[k])] += v; t1[Int(c1[k])] += v; t2[Int(c2[k])] += v; t3[Int(c3[k])] += v
                        }
                    case 3:
                        let c0 = column(g, 0), c1 = column(g, 1), c2 = column(g, 2)
                        let t0 = table(0), t1 = table(1), t2 = table(2)
                        for k in 0..<m { let v = ghb[k]; t0[Int(c0[k])] += v; t1[Int(c1[k])] += v; t2[Int(c2[k])] += v }
                    case 2:
                        let c0 = column(g, 0), c1 = column(g, 1), t0 = table(0), t1 = table(1)
                        for k in 0..<m { let v = ghb[k]; t0[Int(c0[k])] += v; t1[Int(c1[k])] += v }
                    default:
                        let c0 = column(g, 0), t0 = table(0)
                        for k in 0..<m { t0[Int(c0[k])] += ghb[k] }
                    }
                }
                blockStart += m
            }
        }}}}}}}}}
        var out = [Double](repeating: 0, count: d * 512)
        for g in plan.tables {
            for f in g {
                for b in 0..<256 { out[f * 512 + 2 * b] = tables[f * 256 + b].x; out[f * 512 + 2 * b + 1] = tables[f * 256 + b].y }
            }
        }
        for (j, g) in plan.lanes2.enumerated() {
            for (s, f) in g.enumerated() {
                for (k, b) in plan.laneBins[f].enumerated() {
                    out[f * 512 + 2 * b] = acc2[j * group + s][2 * k]; out[f * 512 + 2 * b + 1] = acc2[j * group + s][2 * k + 1]
                }
            }
        }
        for (j, g) in plan.lanes4.enumerated() {
            for (s, f) in g.enumerated() {
                for (k, b) in plan.laneBins[f].enumerated() {
                    out[f * 512 + 2 * b] = acc4[j * group + s][2 * k]; out[f * 512 + 2 * b + 1] = acc4[j * group + s][2 * k + 1]
                }
            }
        }
        return out
    }

    /// The best stump over all features from the merged histograms (interleaved G, H per bin), or
    /// nil when no split satisfies the leaf constraints or has positive gain.
    static func bestSplit(hist: [Double], counts: [Double], categorical: [Bool], train: BinnedMatrix,
                          configuration: Configuration) -> Stump? {
        let lambda = configuration.l2, minCount = Double(configuration.minSamplesLeaf), minHess = configuration.minHessian
        var best: Stump? = nil
        let missing = Int(BinnedMatrix.missingBin)
        for f in 0..<categorical.count {
            let hb = f * 512, cb = f * 256
            var gTotal = 0.0, hTotal = 0.0, nTotal = 0.0
            for b in 0..<256 { gTotal += hist[hb + 2 * b]; hTotal += hist[hb + 2 * b + 1]; nTotal += counts[cb + b] }
            let parentScore = gTotal * gTotal / (hTotal + lambda)
            func consider(_ gl: Double, _ hl: Double, _ nl: Double, leftBins: @autoclosure () -> [Bool]) {
                let gr = gTotal - gl, hr = hTotal - hl, nr = nTotal - nl
                guard nl >= minCount, nr >= minCount, hl >= minHess, hr >= minHess else { return }
                let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore
                guard gain > 1e-12, gain > (best?.gain ?? 0) else { return }
                let lv = -configuration.learningRate * gl / (hl + lambda)
                let rv = -configuration.learningRate * gr / (hr + lambda)
                best = Stump(feature: f, leftBins: leftBins(), leftValue: lv, rightValue: rv, gain: gain)
            }
            // Occupied real bins.
            let gm = hist[hb + 2 * missing], hm = hist[hb + 2 * missing + 1], nm = counts[cb + missing]
            if !categorical[f] {
                // Ordered bins: left = bins <= t; missing tried on each side (without missing rows
                // in training, missing follows the larger side, as scikit-learn does).
                var gl = 0.0, hl = 0.0, nl = 0.0
                var lastOccupied = -1
                for b in 0..<missing where counts[cb + b] > 0 { lastOccupied = b }
                if lastOccupied < 0 { continue }
                for t in 0..<missing {
                    gl += hist[hb + 2 * t]; hl += hist[hb + 2 * t + 1]; nl += counts[cb + t]
                    if counts[cb + t] == 0 && t != lastOccupied { continue }
                    if t < lastOccupied {
                        if nm > 0 {
                            consider(gl, hl, nl, leftBins: orderedLeft(t, missingLeft: false))
                            consider(gl + gm, hl + hm, nl + nm, leftBins: orderedLeft(t, missingLeft: true))
                        } else {
                            consider(gl, hl, nl, leftBins: orderedLeft(t, missingLeft: nl >= nTotal - nl))
                        }
                    } else if t == lastOccupied, nm > 0 {
                        // All values left, missing right: a split on missingness.
                        consider(gl, hl, nl, leftBins: orderedLeft(t, missingLeft: false))
                        break
                    }
                }
            } else {
                // Categories (missing as one more category) sorted by G / (H + smoothing); left = a prefix.
                var cats: [Int] = []
                for b in 0..<256 where counts[cb + b] >= minCategorySupport { cats.append(b) }
                if cats.count < 2 { continue }
                let ratio = { (b: Int) -> Double in hist[hb + 2 * b] / (hist[hb + 2 * b + 1] + minCategorySupport) }
                cats.sort { ratio($0) != ratio($1) ? ratio($0) < ratio($1) : $0 < $1 }
                // Categories below the support threshold stay on the right (with unseen ones).
                var gl = 0.0, hl = 0.0, nl = 0.0
                var left = [Bool](repeating: false, count: 256)
                for k in 0..<(cats.count - 1) {
                    let b = cats[k]
                    gl += hist[hb + 2 * b]; hl += hist[hb + 2 * b + 1]; nl += counts[cb + b]
                    left[b] = true
                    consider(gl, hl, nl, leftBins: left)
                }
                // And the same scan from the other end (the complement may include small categories).
                gl = 0; hl = 0; nl = 0
                left = [Bool](repeating: true, count: 256)
                for k in stride(from: cats.count - 1, to: 0, by: -1) {
                    let b = cats[k]
                    gl += hist[hb + 2 * b]; hl += hist[hb + 2 * b + 1]; nl += counts[cb + b]
                    left[b] = false
                    consider(gTotal - gl, hTotal - hl, nTotal - nl, leftBins: left)
                }
            }
        }
        return best
    }

    static func orderedLeft(_ t: Int, missingLeft: Bool) -> [Bool] {
        var left = [Bool](repeating: false, count: 256)
        for b in 0...t { left[b] = true }
        left[Int(BinnedMatrix.missingBin)] = missingLeft
        return left
    }
}

/// One depth-one tree: rows whose bin of `feature` is in the left set get `leftValue`, others `rightValue`.
public struct Stump: Sendable, Equatable {
    public let feature: Int
    /// For each of the 256 bins (255 = missing), whether it goes left.
    public let leftBins: [Bool]
    public let leftValue: Double
    public let rightValue: Double
    /// The split's loss reduction (the importance it adds to its feature).
    public let gain: Double

    /// The contribution of each bin.
    public var table: [Double] { leftBins.map { $0 ? leftValue : rightValue } }
    public var missingGoesLeft: Bool { leftBins[Int(BinnedMatrix.missingBin)] }
}

/// A fitted stump ensemble. Stumps on the same feature are summed into one 256-entry table per
/// feature at load, so scoring costs one lookup per feature and row, whatever the number of rounds.
public struct GradientBoostedStumpsModel: Classifier, Equatable {
    public let featureNames: [String]
    public let categorical: [Bool]
    public let baseScore: Double
    public let stumps: [Stump]
    public let configuration: GradientBoostedStumps.Configuration
    /// Per feature, the summed contribution of each bin (empty where no stump uses the feature).
    public let tables: [[Double]]

    public init(featureNames: [String], categorical: [Bool], baseScore: Double, stumps: [Stump],
                configuration: GradientBoostedStumps.Configuration) {
        self.featureNames = featureNames; self.categorical = categorical
        self.baseScore = baseScore; self.stumps = stumps; self.configuration = configuration
        var tables = [[Double]](repeating: [], count: featureNames.count)
        for s in stumps {
            if tables[s.feature].isEmpty { tables[s.feature] = [Double](repeating: 0, count: 256) }
            for b in 0..<256 { tables[s.feature][b] += s.leftBins[b] ? s.leftValue : s.rightValue }
        }
        self.tables = tables
    }

    public var rounds: Int { stumps.count }

    public func predictLogit(_ matrix: BinnedMatrix) -> [Double] {
        let n = matrix.rows
        var z = [Double](repeating: baseScore, count: n)
        matrix.bins.withUnsafeBufferPointer { bins in
            z.withUnsafeMutableBufferPointer { z in
                for (f, table) in tables.enumerated() where !table.isEmpty && f < matrix.features {
                    table.withUnsafeBufferPointer { t in
                        let col = bins.baseAddress! + f * n
                        for i in 0..<n { z[i] += t[Int(col[i])] }
                    }
                }
            }
        }
        return z
    }

    /// Gain-based importance per original feature: the summed split gains, normalised to sum to 1.
    public var featureImportance: [Double] {
        var out = [Double](repeating: 0, count: featureNames.count)
        for s in stumps { out[s.feature] += s.gain }
        let total = out.reduce(0, +)
        return total > 0 ? out.map { $0 / total } : out
    }
}

/// A value shared read-only (or by disjoint index ranges) with worker threads.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
