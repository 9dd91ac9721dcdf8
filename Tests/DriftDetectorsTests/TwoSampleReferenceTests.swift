import DriftCore
import Foundation
import Testing
@testable import DriftDetectors

/// The LCG shared with the Python snippets below (same constants, same 53-bit uniform), so the
/// large samples need not be pasted:
///   M=(1<<64)-1
///   def lcg(seed,n): s=seed; out=[]
///       for _ in range(n): s=(s*6364136223846793005+1442695040888963407)&M; out.append((s>>11)*2.0**-53)
///       return np.array(out)
///   def ties(seed,n,shift): return np.floor(lcg(seed,n)*20)/2+shift
///   def sq(seed,n,shift): u=lcg(seed,n); return u*u+shift
func lcgUniforms(seed: UInt64, count: Int) -> [Double] {
    var s = seed
    return (0..<count).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Double(s >> 11) * 0x1p-53
    }
}

func lcgSample(_ kind: String, seed: UInt64, count: Int, shift: Double) -> [Double] {
    let u = lcgUniforms(seed: seed, count: count)
    return kind == "ties" ? u.map { ($0 * 20).rounded(.down) / 2 + shift } : u.map { $0 * $0 + shift }
}

func close(_ a: Double, _ b: Double, rel: Double = 1e-6, abs: Double = 1e-300) -> Bool {
    if a == b { return true }
    return Swift.abs(a - b) <= Swift.max(rel * Swift.max(Swift.abs(a), Swift.abs(b)), abs)
}

@Suite("Two-sample tests match SciPy")
struct TwoSampleReferenceTests {
    // for kind,s1,n1,s2,n2,sh in cases:
    //     a=f(s1,n1,0.0); b=f(s2,n2,sh); r=st.ks_2samp(a,b)
    //     print(kind,s1,n1,s2,n2,sh, r.statistic, r.pvalue, st.wasserstein_distance(a,b))   # SciPy 1.17.1
    static let ksCases: [(String, UInt64, Int, UInt64, Int, Double, Double, Double, Double)] = [
        ("ties", 1, 30, 2, 45, 0.5, 0.15555555555555556, 0.7392106975584738, 0.7277777777777776),       // exact, inside method
        ("ties", 3, 50, 4, 50, 0.5, 0.08, 0.9977109764909107, 0.49000000000000005),                     // exact, n1 == n2
        ("sq", 5, 3000, 6, 2000, 0.02, 0.152, 1.2550079498732324e-24, 0.02750802176791352),            // exact, tiny p
        ("sq", 7, 20000, 8, 15000, 0.0, 0.009300000000000086, 0.44610568508844406, 0.0033279170533237544), // asymptotic, Pelz-Good
        ("sq", 9, 20000, 10, 15000, 0.015, 0.1224, 2.28909239027964e-112, 0.01448448831587382),        // asymptotic, Smirnov tail
        ("sq", 11, 12000, 12, 50, 0.1, 0.3194166666666667, 4.8905667798011774e-05, 0.1418918890085759), // asymptotic, n = 50
        ("ties", 13, 11000, 14, 10500, 0.0, 0.006822510822510827, 0.9624562905816032, 0.025989177489177513), // asymptotic with ties
        ("sq", 15, 100, 16, 100, 0.0, 0.12, 0.469506448503778, 0.03483099003049992),
        ("sq", 17, 12000, 18, 11000, 0.2, 0.44725, 0.0, 0.2029699160740534),
    ]

    @Test func ksStatisticPValueAndWassersteinMatchSciPy() {
        for (kind, s1, n1, s2, n2, shift, d, p, w) in TwoSampleReferenceTests.ksCases {
            let a = lcgSample(kind, seed: s1, count: n1, shift: 0), b = lcgSample(kind, seed: s2, count: n2, shift: shift)
            let r = KolmogorovSmirnov().test(reference: a, current: b)
            #expect(close(r.statistic, d, rel: 1e-9), "D \(kind) \(n1)x\(n2): \(r.statistic) vs \(d)")
            #expect(close(r.pValue ?? .nan, p), "p \(kind) \(n1)x\(n2): \(r.pValue ?? .nan) vs \(p)")
            let w1 = TwoSampleStatistics.wasserstein(sortedA: RadixSort.sorted(a), sortedB: RadixSort.sorted(b))
            #expect(close(w1, w, rel: 1e-9), "W1 \(kind) \(n1)x\(n2): \(w1) vs \(w)")
        }
    }

    // st.ks_2samp([1,2,2,np.inf,-np.inf,3], [2,2,np.inf,5,-np.inf,-np.inf,0]) -> 0.2619047619047619, 0.9254079254079255
    // st.ks_2samp([0.0]*40+[1.0]*25, [0.0]*20+[1.0]*30+[2.0]*5)             -> 0.2517482517482518, 0.03700863750433491
    @Test func ksWithInfinitiesAndHeavyTies() {
        let a = KolmogorovSmirnov().test(reference: [1, 2, 2, .infinity, -.infinity, 3], current: [2, 2, .infinity, 5, -.infinity, -.infinity, 0])
        #expect(close(a.statistic, 0.2619047619047619, rel: 1e-12) && close(a.pValue ?? .nan, 0.9254079254079255))
        let b = KolmogorovSmirnov().test(reference: [Double](repeating: 0, count: 40) + [Double](repeating: 1, count: 25),
                                         current: [Double](repeating: 0, count: 20) + [Double](repeating: 1, count: 30) + [2, 2, 2, 2, 2])
        #expect(close(b.statistic, 0.2517482517482518, rel: 1e-12) && close(b.pValue ?? .nan, 0.03700863750433491))
    }

    // for n,x in [...]: print(n, x, st.kstwo.sf(x,n))
    @Test func kolmogorovDistributionMatchesKstwo() {
        let cases: [(Int, Double, Double)] = [
            (1000, 0.01, 0.9999496745370611), (1000, 0.03, 0.3226902143914636), (5000, 0.02, 0.03613941395325637),
            (200, 0.05, 0.6802625495871704), (100, 0.05, 0.9532159710635725), (100, 0.15, 0.019839242125641813),
            (50, 0.3, 0.00017353260202718738), (20000, 0.005, 0.6974088406327612), (300, 0.6, 8.399665126868074e-104),
            (10, 0.05, 1.0),
            // Smirnov-tail branch (n·x² >= 2.2) at large n:
            (500000, 0.00215, 0.01962818278282871), (20000, 0.02, 2.2181270070049744e-07), (1000, 0.1, 3.703687096817711e-09),
            (150, 0.3, 1.8096708700049624e-12), (3000, 0.04, 0.0001315351297447678), (100000, 0.006, 0.0014871489301131564),
        ]
        for (n, x, sf) in cases {
            let ours = KolmogorovDistribution.survival(n: n, x: x)
            #expect(close(ours, sf), "kstwo.sf(\(x), \(n)) = \(sf), ours \(ours)")
        }
    }

    // import scipy.special as sp; sp.smirnov(n, x)
    @Test func smirnovMatchesSciPy() {
        let cases: [(Int, Double, Double)] = [(10, 0.3, 0.1354635556), (1000, 0.05, 0.006506037390545166),
                                              (50000, 0.01, 4.509024405921801e-05), (7, 0.5, 0.019195870768132325)]
        for (n, x, sf) in cases {
            let ours = KolmogorovDistribution.smirnovSurvival(n: n, x: x)
            #expect(close(ours, sf), "smirnov(\(n), \(x)) = \(sf), ours \(ours)")
        }
    }

    // from scipy.spatial.distance import jensenshannon
    // jensenshannon([4,0,3,9,1],[2,5,0,7,3],base=2) -> 0.5265292004980119
    // jensenshannon([1,2,3],[1,2,3.5],base=2)        -> 0.032694473288241224
    @Test func jensenShannonMatchesSciPy() {
        #expect(close(TwoSampleStatistics.jensenShannonDistance([4, 0, 3, 9, 1], [2, 5, 0, 7, 3]), 0.5265292004980119))
        #expect(close(TwoSampleStatistics.jensenShannonDistance([1, 2, 3], [1, 2, 3.5]), 0.032694473288241224))
        #expect(TwoSampleStatistics.jensenShannonDistance([1, 2], [2, 4]) < 1e-7)
    }

    // st.chi2_contingency([[120,80,45,3],[100,95,30,8]], correction=False) -> 7.91654679945556, 0.047768287856863385, 3
    // st.chi2_contingency([[10,20,30],[15,25,5],[7,7,7]], correction=False) -> 18.565705128205124, 0.0009563612346348433, 4
    // st.chisquare([18,22,31,29],[25,25,25,25]) -> 4.3999999999999995, 0.2213853871894879
    @Test func chiSquaredMatchesSciPy() {
        let a = CategoricalComparison.chiSquaredContingency([[120, 80, 45, 3], [100, 95, 30, 8]])
        #expect(close(a.statistic, 7.91654679945556) && close(a.pValue, 0.047768287856863385) && a.degreesOfFreedom == 3)
        let b = CategoricalComparison.chiSquaredContingency([[10, 20, 30], [15, 25, 5], [7, 7, 7]])
        #expect(close(b.statistic, 18.565705128205124) && close(b.pValue, 0.0009563612346348433) && b.degreesOfFreedom == 4)
        let g = CategoricalComparison.chiSquaredGoodnessOfFit(observed: [18, 22, 31, 29], expected: [25, 25, 25, 25])
        #expect(close(g.statistic, 4.3999999999999995) && close(g.pValue, 0.2213853871894879))
    }

    // Reference a:120 b:80 c:45 d:3; window a:95 b:100 c:30 d:2, unseen z:3, one missing.
    // Cells d (3,2) and z (0,3) have expected counts < 5 and are pooled; the pool (3,5) is still
    // below 5 so it is folded into the smallest kept cell c -> [[120,80,48],[95,100,35]]:
    // st.chi2_contingency([[120,80,48],[95,100,35]], correction=False) -> 6.496731918268545, 0.0388376182653659, 2
    @Test func categoricalComparisonPoolsRareCellsAndCountsUnseen() {
        let refCodes: [Int32] = Array(repeating: 0, count: 120) + Array(repeating: 1, count: 80) + Array(repeating: 2, count: 45) + Array(repeating: 3, count: 3)
        let reference = CategoricalReference(CategoricalColumn(codes: refCodes, levels: ["a", "b", "c", "d"]))
        // The window's levels are in another order: c=0 a=1 z=2 b=3 d=4.
        let curCodes: [Int32] = Array(repeating: 1, count: 95) + Array(repeating: 3, count: 100) + Array(repeating: 0, count: 30)
            + Array(repeating: 4, count: 2) + Array(repeating: 2, count: 3) + [-1]
        let window = CategoricalColumn(codes: curCodes, levels: ["c", "a", "z", "b", "d"])
        let r = CategoricalComparison.compare(reference: reference, current: window)
        #expect(close(r.chiSquared, 6.496731918268545) && close(r.pValue, 0.0388376182653659) && r.degreesOfFreedom == 2)
        #expect(r.pooledCategories == 2 && r.currentMissing == 1 && r.currentCount == 230)
        #expect(close(r.unseenRate, 3.0 / 230))
    }

    // st.false_discovery_control([0.01,0.04,0.03,0.2,0.5,0.001,0.04,0.9], method='bh')
    @Test func benjaminiHochbergAndBonferroni() {
        let p = [0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04, 0.9]
        let expected = [0.04, 0.064, 0.064, 0.26666666666666666, 0.5714285714285714, 0.008, 0.064, 0.9]
        let bh = MultipleTesting.benjaminiHochberg(p)
        for (x, y) in zip(bh, expected) { #expect(close(x, y, rel: 1e-12)) }
        // statsmodels multipletests(p, method='bonferroni')[1] == np.minimum(1, p*8)
        #expect(MultipleTesting.bonferroni(p) == p.map { Swift.min(1, $0 * 8) })
        // NaN (untested) features keep NaN and do not count: m = 2.
        let withNaN = MultipleTesting.benjaminiHochberg([0.02, .nan, 0.04])
        #expect(withNaN[1].isNaN && close(withNaN[0], 0.04) && close(withNaN[2], 0.04))
    }

    // a=[1.2,3.4,2.2,5.1,4.4,3.3,2.9,6.0,1.1,2.5]; b=[2.1,4.5,3.9,6.6,5.2,4.8,7.1,3.3,5.5,6.2,4.1,5.9]
    // st.ttest_ind(a,b,equal_var=False) -> -2.6295446813891425, 0.01676561298669369
    // st.levene(a,b,center='median')    -> 0.04602081722904328, 0.8323101461771801
    @Test func meanAndVarianceShiftMatchSciPy() {
        let a = [1.2, 3.4, 2.2, 5.1, 4.4, 3.3, 2.9, 6.0, 1.1, 2.5]
        let b = [2.1, 4.5, 3.9, 6.6, 5.2, 4.8, 7.1, 3.3, 5.5, 6.2, 4.1, 5.9]
        let t = TwoSampleStatistics.welchTest(a, b)
        #expect(close(t.statistic, -2.6295446813891425) && close(t.pValue ?? .nan, 0.01676561298669369))
        let f = TwoSampleStatistics.brownForsythe(a, b)
        #expect(close(f.statistic, 0.04602081722904328) && close(f.pValue ?? .nan, 0.8323101461771801))
    }

    // Hall's (1992) skew-corrected Welch test, written out in numpy (scipy has no such test):
    //   a=np.array([12.0,3.5,7.25,40.0,1.0,2.5,9.0,5.5,110.0,4.0,6.0,3.0]); b=np.array([2.0,1.5,30.0,4.5,3.0,2.25,8.0,1.0,5.0])
    //   na,nb=len(a),len(b); va,vb=a.var(ddof=1)/na,b.var(ddof=1)/nb; se2=va+vb
    //   t=(b.mean()-a.mean())/np.sqrt(se2); df=se2**2/(va**2/(na-1)+vb**2/(nb-1))
    //   g=(((b-b.mean())**3).mean()/nb**2-((a-a.mean())**3).mean()/na**2)/se2**1.5
    //   th=t+g*t**2/3+g**2*t**3/27+g/6; 2*st.t.sf(abs(th),df) -> th -1.4406630623296435, p 0.17258531201151397
    //   (swapped: th +1.4406630623296435, same p); st.ttest_ind(a,b,equal_var=False).pvalue -> 0.28208391701518226
    @Test func skewCorrectedWelchMatchesHallsFormula() {
        let a = [12.0, 3.5, 7.25, 40.0, 1.0, 2.5, 9.0, 5.5, 110.0, 4.0, 6.0, 3.0]
        let b = [2.0, 1.5, 30.0, 4.5, 3.0, 2.25, 8.0, 1.0, 5.0]
        #expect(close(TwoSampleStatistics.welchTest(a, b).pValue ?? .nan, 0.28208391701518226))
        let h = TwoSampleStatistics.skewCorrectedWelchTest(.init(a), .init(b))
        #expect(close(h.statistic, -1.4406630623296435) && close(h.pValue ?? .nan, 0.17258531201151397))
        let swapped = TwoSampleStatistics.skewCorrectedWelchTest(.init(b), .init(a))
        #expect(close(swapped.statistic, 1.4406630623296435) && close(swapped.pValue ?? .nan, 0.17258531201151397))
        // Symmetric samples: no correction, SciPy's Welch p-value (the fixture above).
        let s = TwoSampleStatistics.skewCorrectedWelchTest(.init([1, 2, 3, 4, 5]), .init([2, 4, 6, 8, 10, 12, 14]))
        #expect(close(s.pValue ?? .nan, TwoSampleStatistics.welchTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12, 14]).pValue ?? 0))
        // Undefined: fewer than 2 finite values on a side.
        #expect(TwoSampleStatistics.skewCorrectedWelchTest(.init([1, .nan, .infinity]), .init([1, 2])).pValue?.isNaN == true)
    }

    // PSI has no SciPy function; numpy reference of our definition (reference deciles, Jeffreys 0.5):
    //   ref=sq(21,1000,0); cur=sq(22,800,0.05)
    //   edges=np.unique(np.quantile(ref,np.arange(1,10)/10)); edges=edges[edges<ref.max()]
    //   rc=np.bincount(np.searchsorted(edges,ref,'left'),minlength=len(edges)+1)
    //   cc=np.bincount(np.searchsorted(edges,cur,'left'),minlength=len(edges)+1)
    //   r=(rc+.5)/(rc.sum()+.5*len(rc)); c=(cc+.5)/(cc.sum()+.5*len(cc)); print(np.sum((c-r)*np.log(c/r)))
    //   -> 1.1189706810117626 ; and jensenshannon(rc,cc,base=2) -> 0.3457628661108423
    @Test func populationStabilityIndexOnReferenceDeciles() {
        let ref = lcgSample("sq", seed: 21, count: 1000, shift: 0), cur = lcgSample("sq", seed: 22, count: 800, shift: 0.05)
        let bins = PSIReference(sortedReference: RadixSort.sorted(ref))
        #expect(bins.binCount == 10)
        let counts = bins.counts(cur)
        #expect(close(bins.populationStabilityIndex(currentCounts: counts), 1.1189706810117626, rel: 1e-9))
        #expect(close(TwoSampleStatistics.jensenShannonDistance(bins.referenceCounts, counts), 0.3457628661108423))
    }
}
