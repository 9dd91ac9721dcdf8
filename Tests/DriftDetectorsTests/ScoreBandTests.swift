import Foundation
import Testing
import DriftCore
@testable import DriftDetectors

/// The score-band calibration check (`LabelMonitors.scoreBandCalibration`): its fits against
/// statsmodels, its bands, its edge cases, its level on failure-free logs and its reading of each
/// kind on `LabelScenario` logs.
@Suite("Score-band calibration")
struct ScoreBandTests {
    /// Reference values: the same models fitted by SciPy 1.17.1 (`scipy.optimize.minimize`, BFGS then
    /// Nelder-Mead, three starts, the best kept):
    ///
    ///     import numpy as np
    ///     from scipy.optimize import minimize
    ///     from scipy.stats import norm
    ///     def nll(th, T, O, off, q, x, slope):
    ///         eta = off + th[0] - np.log1p((np.exp(th[1]) - 1) * q) + (th[2] * x if slope else 0)
    ///         return -np.sum((O * -np.logaddexp(0, -eta) + (T - O) * -np.logaddexp(0, eta)) / (1 - q))
    ///     def dev(th, T, O, off, q, x, slope):
    ///         pi = 1 / (1 + np.exp(-(off + th[0] - np.log1p((np.exp(th[1]) - 1) * q) + (th[2] * x if slope else 0))))
    ///         d = np.where(O > 0, O * np.log(np.maximum(O, 1) / (T * pi)), 0) \
    ///             + np.where(T > O, (T - O) * np.log(np.maximum(T - O, 1) / (T * (1 - pi))), 0)
    ///         return 2 * (d / (1 - q)).sum(), pi
    ///     def run(N, F, S, S2, W, O):
    ///         N, F, S, S2, W, O = (np.array(a, float) for a in (N, F, S, S2, W, O))
    ///         T = F + O; off = np.log(W / N); q = S2 / S
    ///         x = np.log(S / N); x = x - np.sum(x * O) / O.sum()
    ///         fits = []
    ///         for slope, k in ((False, 2), (True, 3)):
    ///             best = None
    ///             for start in ([0, 0, 0], [0, 1, 0], [0, -1, 0]):
    ///                 a = (T, O, off, q, x, slope)
    ///                 r = minimize(nll, np.array(start[:k], float), args=a, method='BFGS', options={'gtol': 1e-12, 'maxiter': 10000})
    ///                 r = minimize(nll, r.x, args=a, method='Nelder-Mead', options={'xatol': 1e-13, 'fatol': 1e-15, 'maxiter': 20000})
    ///                 if best is None or r.fun < best.fun: best = r
    ///             fits.append(best)
    ///         d0, pi0 = dev(fits[0].x, T, O, off, q, x, False); d1, _ = dev(fits[1].x, T, O, off, q, x, True)
    ///         print(d0, d0 - d1, fits[1].x[2], np.exp(fits[0].x[1]), np.abs(O - T * pi0).sum() / (2 * O.sum()),
    ///               norm.cdf(np.sqrt(max(d0 - d1, 0)) * np.sign(fits[1].x[2])))
    ///
    /// (the sparse case's inputs merged by hand, groups [0,1,2], [3,4], [5], [6], [7], [8], [9], [10,11]).
    struct Case { let frauds: [Int]; let arrived: [Int] }
    static let n = [4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 2000, 1600, 400]
    static let s = [2.1, 3.0, 4.2, 5.5, 7.1, 9.4, 12.8, 18.0, 29.5, 31.0, 88.0, 105.0]
    static let s2 = [0.0012, 0.0024, 0.0046, 0.0077, 0.0128, 0.0216, 0.0397, 0.0792, 0.2006, 0.4805, 4.84, 33.6]
    static let w = [5100.5, 5003.2, 4890.0, 5202.7, 4999.9, 5100.1, 4950.4, 5050.6, 5020.3, 2460.2, 2010.8, 480.3]
    static let dense = Case(frauds: [12, 10, 14, 11, 15, 18, 22, 30, 45, 60, 120, 160], arrived: [30, 22, 25, 16, 20, 25, 30, 36, 60, 75, 140, 190])
    static let sparse = Case(frauds: [1, 2, 3, 2, 4, 5, 6, 9, 20, 30, 60, 3], arrived: [2, 1, 3, 4, 2, 6, 9, 12, 25, 28, 70, 4])

    static func trend(_ c: Case) -> LabelMonitors.BandTrend? {
        let bands = n.indices.map {
            LabelMonitors.BandTrend.Band(rows: Double(n[$0]), frauds: Double(c.frauds[$0]), scores: s[$0], squares: s2[$0],
                                         exposure: w[$0], arrived: Double(c.arrived[$0]))
        }
        return LabelMonitors.BandTrend(bands: bands, minimumBandCount: LabelMonitors.minimumBandCount)
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
        abs(a - b) <= tolerance * max(abs(b), 1e-300) || abs(a - b) < 1e-12
    }

    @Test func fitsMatchScipy() throws {
        let d = try #require(Self.trend(Self.dense))
        #expect(d.bands == 12)
        #expect(Self.close(d.g2, 7.464889913524466), "G² \(d.g2)")
        #expect(Self.close(d.trendLR, 4.969565778376498), "LR \(d.trendLR)")
        #expect(Self.close(d.beta, -0.11675055574018414), "beta \(d.beta)")
        #expect(Self.close(d.priorOdds, 1.358796125645497), "k \(d.priorOdds)")
        #expect(Self.close(d.shift, 0.020417027653642443), "shift \(d.shift)")
        #expect(Self.close(SpecialFunctions.normalCDF(-d.trendLR.squareRoot()), 0.01289856152201717))
        // Sparse low bands merge from the lowest up, the small top band into the one below.
        let m = try #require(Self.trend(Self.sparse))
        #expect(m.bands == 8)
        #expect(Self.close(m.g2, 1.117431780338253), "G² \(m.g2)")
        #expect(Self.close(m.trendLR, 0.08828021815222886), "LR \(m.trendLR)")
        #expect(Self.close(m.beta, -0.053978823725642854), "beta \(m.beta)")
        #expect(Self.close(m.priorOdds, 0.7804050987394741), "k \(m.priorOdds)")
        #expect(Self.close(m.shift, 0.019708313142059706), "shift \(m.shift)")
    }

    @Test func degenerateInputsHaveNoFit() {
        typealias B = LabelMonitors.BandTrend.Band
        func fit(_ bands: [B]) -> LabelMonitors.BandTrend? { LabelMonitors.BandTrend(bands: bands, minimumBandCount: 10) }
        // No production fraud, no reference fraud, a single band.
        #expect(fit([B(rows: 10, frauds: 20, scores: 1, squares: 0.1, exposure: 5, arrived: 0),
                     B(rows: 10, frauds: 20, scores: 2, squares: 0.4, exposure: 5, arrived: 0)]) == nil)
        #expect(fit([B(rows: 10, frauds: 0, scores: 1, squares: 0.1, exposure: 5, arrived: 20),
                     B(rows: 10, frauds: 0, scores: 2, squares: 0.4, exposure: 5, arrived: 20)]) == nil)
        #expect(fit([B(rows: 10, frauds: 20, scores: 1, squares: 0.1, exposure: 5, arrived: 20)]) == nil)
        // A band without exposure is merged into its neighbour rather than dividing by zero.
        let merged = fit([B(rows: 10, frauds: 20, scores: 1, squares: 0.1, exposure: 5, arrived: 20),
                          B(rows: 10, frauds: 20, scores: 2, squares: 0.4, exposure: 0, arrived: 0),
                          B(rows: 10, frauds: 20, scores: 3, squares: 0.9, exposure: 5, arrived: 20)])
        #expect(merged?.bands == 2)
        #expect(merged.map { $0.g2.isFinite && $0.trendLR.isFinite && $0.beta.isFinite } == true)
    }

    @Test func bandsCutAtTheReferenceQuantiles() {
        let scores = (0..<1_000).map { Double($0) / 1_000 }
        let bands = ScoreBands(scores: scores, reported: scores.map { $0 >= 0.9 })
        #expect(bands.edges.count == 11)
        #expect(bands.edges[0] == 0.1 && bands.edges[9] == 0.95 && bands.edges[10] == 0.99)
        #expect(bands.rows.reduce(0, +) == 1_000 && bands.frauds.reduce(0, +) == 100)
        #expect(bands.band(of: 0.4) == 4 && bands.band(of: 0.4.nextDown) == 3 && bands.rows.allSatisfy { $0 > 0 })
        #expect(bands.band(of: -1) == 0 && bands.band(of: 2) == 11)
        // Ties merge their cut points, NaN is skipped, an empty sample has one band.
        let tied = ScoreBands(scores: Array(repeating: 0.01, count: 900) + Array(repeating: 0.5, count: 100) + [.nan], reported: Array(repeating: false, count: 1_001))
        #expect(tied.edges == [0.5] && tied.rows == [900, 100])
        // Quantiles out of [0, 1] are clamped and NaN ones skipped (no trap).
        let odd = ScoreBands(scores: scores, reported: scores.map { _ in false }, quantiles: [.nan, -1, 0.5, 1e300])
        #expect(odd.edges == [0.5, 0.999])
        let empty = ScoreBands(scores: [], reported: [])
        #expect(empty.edges.isEmpty && empty.rows == [0])
    }

    @Test func emptyAndDegenerateLogsGiveNoAlarm() {
        let reference = LabelScenario.reference
        let empty = LabelledLog(days: [], scores: [], reportDays: [], threshold: 0.1)
        let r = LabelMonitors.scoreBandCalibration(log: empty, asOf: 100, reference: reference)
        #expect(!r.alarm && r.pValue == 1)
        // NaN and infinite scores are skipped; no fraud arrived yet.
        let odd = LabelledLog(days: [90, 91, 92], scores: [.nan, .infinity, 0.2], reportDays: [95, LabelledLog.never, LabelledLog.never],
                              threshold: 0.1)
        let o = LabelMonitors.scoreBandCalibration(log: odd, asOf: 100, reference: reference)
        #expect(!o.alarm && o.pValue == 1 && o.details["arrived"] == 0)
        // A reference whose scores are all equal has one band: no test.
        let flat = LabelReference(log: LabelledLog(days: [0, 1, 2], scores: [0.3, 0.3, 0.3], reportDays: [5, LabelledLog.never, 9], threshold: 0.1),
                                  asOf: 400)
        let f = LabelMonitors.scoreBandCalibration(log: LabelScenario.clean, asOf: 179, reference: flat)
        #expect(!f.alarm && f.pValue == 1)
    }

    /// Failure-free reference and production pairs (`LabelScenario`, 40 and 150 days of 300 rows), the
    /// effect floor off, at a nominal 0.05. Measured (release, 2026-11-24): printed as CALIBRATION.
    @Test func holdsItsLevelAcrossReferences() throws {
        let pairs = 1_200
        var c = LabelConfiguration()
        c.alpha = 0.05
        c.bandMinimumShift = 0
        let configuration = c
        let alarms = try Parallel.map(pairs, jobs: Parallel.defaultJobs) { k -> Bool in
            let reference = LabelReference(log: LabelScenario(days: 40, rowsPerDay: 300, seed: 10_000 + UInt64(k)).log(), asOf: 400)
            let production = LabelScenario(days: 150, rowsPerDay: 300, seed: 20_000 + UInt64(k)).log()
            return LabelMonitors.scoreBandCalibration(log: production, asOf: 149, reference: reference, configuration: configuration).alarm
        }
        let rate = Double(alarms.filter { $0 }.count) / Double(pairs)
        print("CALIBRATION score_band_calibration across references at 0.05: \(rate)")
        #expect(rate >= 0.025 && rate <= 0.075, "score_band_calibration \(rate)")
    }

    /// Each kind on `LabelScenario` logs against its 60-day reference, read on day 179: new fraud among
    /// low scores (concept) alarms; a prior shift, a covariate shift of the scores, slower and fewer
    /// chargebacks do not, as they move the rate or the exposure of every band alike.
    @Test func alarmsOnConceptDriftOnly() {
        let reference = LabelScenario.reference
        func read(_ s: LabelScenario) -> DetectorResult {
            LabelMonitors.scoreBandCalibration(log: s.log(), asOf: 179, reference: reference)
        }
        let concept = read(LabelScenario(seed: 3, extraRisk: 0.01, conceptDay: 90))
        print("POWER score_band_calibration concept: p=\(concept.pValue ?? .nan) shift=\(concept.statistic) beta=\(concept.details["beta"] ?? .nan)")
        #expect(concept.alarm && (concept.details["beta"] ?? 0) < 0)
        let benign: [(String, LabelScenario)] = [
            ("control", LabelScenario(seed: 4)),
            ("prior x1.5", LabelScenario(seed: 5, priorMultiplier: 1.5)),
            ("prior x3", LabelScenario(seed: 9, priorMultiplier: 3)),
            ("covariate", LabelScenario(seed: 6, scoreMean: -4.0)),
            ("slower", LabelScenario(seed: 7, delayMultiplier: 2, delayDay: 120)),
            ("coverage", LabelScenario(seed: 8, coverage: 0.5, coverageDay: 120)),
        ]
        for (name, scenario) in benign {
            let r = read(scenario)
            print("CALIBRATION score_band_calibration \(name): p=\(r.pValue ?? .nan) shift=\(r.statistic) beta=\(r.details["beta"] ?? .nan) prior odds=\(r.details["prior_odds"] ?? .nan)")
            #expect(!r.alarm, "\(name): p \(r.pValue ?? .nan)")
        }
    }
}
