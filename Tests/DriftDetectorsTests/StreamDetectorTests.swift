import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

/// Streams rebuilt from the LCG of TwoSampleReferenceTests (lcgUniforms), identical in Python:
///   def bits(seed):   u=lcg(seed,4000); return [1 if u[i] < (0.1 if i<1500 else 0.35 if i<2500 else 0.1 if i<3200 else 0.5) else 0 for i in range(4000)]
///   def floats(seed): u=lcg(seed,6000); return [u[i] + (0.0 if i<2000 else 0.6 if i<4000 else -0.3) for i in range(6000)]
///   def run(det, xs):   # drift indices, and warning indices as [first, last] runs
///       d=[];w=[]
///       for i,x in enumerate(xs):
///           det.update(x)
///           if det.drift_detected: d.append(i)
///           if getattr(det,'warning_detected',False): w.append(i)
///       return d, runs(w)
/// river 0.26.1: from river import drift; from river.drift import binary
func errorBits(seed: UInt64) -> [Double] {
    let u = lcgUniforms(seed: seed, count: 4000)
    return (0..<4000).map { i in
        let p = i < 1500 ? 0.1 : (i < 2500 ? 0.35 : (i < 3200 ? 0.1 : 0.5))
        return u[i] < p ? 1 : 0
    }
}

func shiftingFloats(seed: UInt64) -> [Double] {
    let u = lcgUniforms(seed: seed, count: 6000)
    return (0..<6000).map { i in u[i] + (i < 2000 ? 0.0 : (i < 4000 ? 0.6 : -0.3)) }
}

func runDetector<D: StreamDetector>(_ detector: D, _ xs: [Double]) -> (drifts: [Int], warnings: [[Int]]) {
    var d = detector
    var drifts: [Int] = [], warnings: [[Int]] = []
    for (i, x) in xs.enumerated() {
        d.update(x)
        if d.driftDetected { drifts.append(i) }
        if d.warningDetected {
            if let last = warnings.last, last[1] == i - 1 { warnings[warnings.count - 1][1] = i } else { warnings.append([i, i]) }
        }
    }
    return (drifts, warnings)
}

@Suite("Stream detectors flag the same indices as river 0.26")
struct StreamDetectorTests {
    // run(binary.DDM(), bits(101))
    @Test func ddmMatchesRiver() {
        let r = runDetector(DDM(), errorBits(seed: 101))
        #expect(r.drifts == [1694, 3328])
        #expect(r.warnings == [[38, 40], [433, 440], [445, 449], [496, 496], [498, 505], [1571, 1571], [1575, 1693],
                               [1748, 1749], [1751, 1751], [1922, 1923], [3269, 3269], [3281, 3327]])
    }

    // run(binary.EDDM(), bits(102))
    @Test func eddmMatchesRiver() {
        let r = runDetector(EDDM(), errorBits(seed: 102))
        #expect(r.drifts == [452, 762, 1036, 1383, 1530, 1636, 1743, 3409, 3496])
        #expect(r.warnings == [[344, 452], [1014, 1036], [1629, 1636], [1820, 1825], [2039, 2054], [2056, 2092], [2095, 2112],
                               [2284, 2314], [3278, 3409], [3454, 3456], [3484, 3496], [3700, 3739]])
    }

    // river's EDDM takes s' as `Var.get() ** 0.5`, libm's pow(v, 0.5), not the correctly rounded sqrt.
    // On this stream the distances' variance reaches 0.9999999999999999 at index 33: pow gives 1.0, so
    // p'+2s' = 4.0 and the level is exactly beta = 0.8 (no drift); sqrt gave 3.9999999999999996 (drift).
    // xs=[0,0,0,1,0,0,1,0,1,0,1,0,0,1,0,1,1,0,1,1,0,0,0,1,1,1,1,1,0,1,0,1,0,1]
    // run(binary.EDDM(warm_start=1, beta=0.8), [float(x) for x in xs])  ->  ([], [[10, 33]])
    @Test func eddmTakesTheSquareRootAsRiverDoes() {
        let xs: [Double] = [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1]
        let r = runDetector(EDDM(warmStart: 1, beta: 0.8), xs)
        #expect(r.drifts == [])
        #expect(r.warnings == [[10, 33]])
    }

    // run(drift.ADWIN(), floats(103)); run(drift.ADWIN(), bits(104))
    @Test func adwinMatchesRiver() {
        #expect(runDetector(ADWIN(), shiftingFloats(seed: 103)).drifts == [2047, 4031])
        #expect(runDetector(ADWIN(), errorBits(seed: 104)).drifts == [1599, 2655, 3263])
    }

    // run(drift.PageHinkley(), floats(105)); run(drift.PageHinkley(threshold=10), bits(106))
    @Test func pageHinkleyMatchesRiver() {
        #expect(runDetector(PageHinkley(), shiftingFloats(seed: 105)).drifts == [2088, 4057])
        #expect(runDetector(PageHinkley(threshold: 10), errorBits(seed: 106)).drifts
                == [1111, 1527, 1949, 2366, 2535, 3215, 3423, 3547, 3798, 3977])
    }

    // river has no CUSUM; reference is the textbook tabular CUSUM written out in Python:
    // class CUSUM:
    //     def __init__(s, min_instances=30, k=0.005, h=50.0): s.mi=min_instances; s.k=k; s.h=h; s.drift_detected=False; s.reset()
    //     def reset(s): s.n=0.0; s.m=0.0; s.up=0.0; s.lo=0.0; s.drift_detected=False; s.warning_detected=False
    //     def update(s, x):
    //         if s.drift_detected: s.reset()
    //         s.n += 1.0; s.m += (1.0/s.n)*(x-s.m); dev = x-s.m
    //         s.up = max(0.0, s.up+dev-s.k); s.lo = max(0.0, s.lo-dev-s.k)
    //         if s.n >= s.mi:
    //             g=max(s.up,s.lo); s.drift_detected = g > s.h; s.warning_detected = (not s.drift_detected) and g > s.h/2
    // run(CUSUM(), floats(107)); run(CUSUM(h=10), bits(108))
    @Test func cusumMatchesTextbookReference() {
        let r = runDetector(CUSUM(), shiftingFloats(seed: 107))
        #expect(r.drifts == [2071, 4056])
        #expect(r.warnings == [[2021, 2070], [4025, 4055]])
        #expect(runDetector(CUSUM(threshold: 10), errorBits(seed: 108)).drifts == [875, 1527, 1925, 2284, 2454, 2529, 3194, 3600])
    }

    @Test func detectorsStayQuietOnAConstantStreamAndHandleNaN() {
        let constant = [Double](repeating: 0.25, count: 3000)
        #expect(runDetector(ADWIN(), constant).drifts.isEmpty)
        #expect(runDetector(PageHinkley(), constant).drifts.isEmpty)
        #expect(runDetector(CUSUM(), constant).drifts.isEmpty)
        #expect(runDetector(DDM(), [Double](repeating: 0, count: 3000)).drifts.isEmpty)
        // A NaN must not trap; it poisons the running statistics exactly as in river.
        var d = ADWIN(); d.update(.nan); d.update(1)
        var p = PageHinkley(); p.update(.infinity); p.update(1)
        #expect(!p.driftDetected)
    }
}
