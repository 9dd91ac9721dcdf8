import Testing
import Foundation
import DriftCore
@testable import DriftDetectors

/// Reference values from SciPy / scikit-learn (oracle venv), computed once:
/// ```python
/// import numpy as np
/// from scipy import stats
/// from sklearn.metrics import roc_auc_score
/// def ztest(x1,n1,x2,n2):
///     p1,p2=x1/n1,x2/n2; p=(x1+x2)/(n1+n2); se=np.sqrt(p*(1-p)*(1/n1+1/n2)); z=(p2-p1)/se
///     return z, stats.norm.sf(z), 2*stats.norm.sf(abs(z))
/// for a in [(120,10000,90,5000),(30,1000,31,1000),(5,200,0,50)]: print(a, ztest(*a))
/// for k,n in [(7,50),(0,20),(95,100),(1,1)]:
///     ci=stats.binomtest(k,n).proportion_ci(confidence_level=0.95,method='wilson'); print(k,n,ci.low,ci.high)
/// print(stats.chi2.isf(1e-3,9), stats.chi2.isf(0.05,1))
/// a=[0.1,0.5,0.5,1.2,3.0,3.0,4.4,7.1]; b=[0.5,0.9,1.2,1.2,2.5,8.0]; print(stats.ks_2samp(a,b).statistic)
/// s=[0.1,0.4,0.35,0.8,0.4,0.9,0.2,0.4]; y=[0,0,1,1,0,1,0,1]; print(roc_auc_score(y,s))
/// ```
@Suite struct QualityStatisticsTests {
    func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        Swift.abs(a - b) <= rel * Swift.max(1e-300, Swift.abs(b)) || Swift.abs(a - b) < 1e-15
    }

    @Test func twoProportionZTestMatchesSciPy() {
        let cases: [(Int, Int, Int, Int, Double, Double, Double)] = [
            (120, 10000, 90, 5000, 2.9484118479927357, 0.0015970561014248092, 0.0031941122028496184),
            (30, 1000, 31, 1000, 0.13003527360127276, 0.44826925965503062, 0.89653851931006123),
            (5, 200, 0, 50, -1.1293848786315641, 0.87063224553215934, 0.2587355089356812),
        ]
        for c in cases {
            let one = MonitorStatistics.twoProportionZTest(successes1: c.0, trials1: c.1, successes2: c.2, trials2: c.3, oneSidedGreater: true)
            let two = MonitorStatistics.twoProportionZTest(successes1: c.0, trials1: c.1, successes2: c.2, trials2: c.3)
            #expect(close(one.z, c.4, 1e-12))
            #expect(close(one.pValue, c.5, 1e-7))
            #expect(close(two.pValue, c.6, 1e-7))
        }
        // Degenerate inputs: defined, no trap.
        #expect(MonitorStatistics.twoProportionZTest(successes1: 0, trials1: 0, successes2: 3, trials2: 10).pValue == 1)
        #expect(MonitorStatistics.twoProportionZTest(successes1: 0, trials1: 10, successes2: 0, trials2: 10).pValue == 1)
    }

    @Test func wilsonIntervalMatchesSciPy() {
        let cases: [(Int, Int, Double, Double)] = [
            (7, 50, 0.069508334270162925, 0.26186193710585537),
            (0, 20, 0, 0.16112515805281935),
            (95, 100, 0.88824953076808089, 0.97845632084563205),
            (1, 1, 0.20654931437723745, 1),
        ]
        for c in cases {
            let ci = MonitorStatistics.wilsonInterval(successes: c.0, trials: c.1)
            #expect(Swift.abs(ci.lower - c.2) < 1e-9)
            #expect(Swift.abs(ci.upper - c.3) < 1e-9)
        }
        let empty = MonitorStatistics.wilsonInterval(successes: 0, trials: 0)
        #expect(empty.lower == 0 && empty.upper == 1)
    }

    @Test func chiSquaredQuantileMatchesSciPy() {
        #expect(close(MonitorStatistics.chiSquaredQuantile(upperTail: 1e-3, degreesOfFreedom: 9), 27.877164871256575, 1e-8))
        #expect(close(MonitorStatistics.chiSquaredQuantile(upperTail: 0.05, degreesOfFreedom: 1), 3.8414588206941285, 1e-8))
    }

    @Test func ksStatisticAndRocAUCMatchReferences() {
        let a = [0.1, 0.5, 0.5, 1.2, 3.0, 3.0, 4.4, 7.1], b = [0.5, 0.9, 1.2, 1.2, 2.5, 8.0]
        #expect(close(KolmogorovSmirnov.statistic(sortedA: a, sortedB: b), 0.33333333333333331, 1e-12))
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4], y = [0, 0, 1, 1, 0, 1, 0, 1].map { $0 == 1 }
        #expect(close(LabelMonitors.rocAUC(scores: s, arrived: y) ?? -1, 0.8125, 1e-12))
        #expect(LabelMonitors.rocAUC(scores: s, arrived: [Bool](repeating: true, count: 8)) == nil)
    }

    @Test func mixtureFitRecoversShare() {
        let f = [0.1, 0.3, 0.6, 1.0], h = [0.5, 0.8, 0.9, 1.0]
        let g = (0..<4).map { 0.7 * f[$0] + 0.3 * h[$0] }
        let fit = MonitorStatistics.mixtureFit(target: g, base: f, alternative: h)
        #expect(Swift.abs(fit.share - 0.3) < 1e-12)
        #expect(fit.supResidual < 1e-12)
    }

    /// ```python
    /// r=np.array([500,300,120,50,20,10]); w=np.array([40,35,30,20,10,0]); k=len(r)
    /// p=(r+0.5)/(r.sum()+0.5*k); q=(w+0.5)/(w.sum()+0.5*k); print(((q-p)*np.log(q/p)).sum())   # 0.36369979453141466
    /// e=w.sum()*(r+0.5)/(r.sum()+0.5*k); print(stats.chisquare(w,e))   # 69.619896403884127, 1.2294950176888382e-13
    /// x=np.log1p([0,1,2,3,5,8,13.]); y=np.log1p([0,10,15,40,45,90,100.]); print(stats.pearsonr(x,y)[0])   # 0.94797021836495232
    /// ```
    @Test func psiChiSquareAndLogCorrelationMatchNumPyAndSciPy() {
        let r = [500, 300, 120, 50, 20, 10], w = [40, 35, 30, 20, 10, 0]
        #expect(close(OutputMonitors.psi(reference: r, window: w), 0.36369979453141466, 1e-12))
        let chi = MonitorStatistics.chiSquareAgainstReference(window: w, reference: r)
        #expect(close(chi.statistic, 69.619896403884127, 1e-12))
        #expect(close(chi.pValue, 1.2294950176888382e-13, 1e-6))
        let c = VelocityStaleness.logCorrelation([0, 1, 2, 3, 5, 8, 13], [0, 10, 15, 40, 45, 90, 100])
        #expect(close(c.r, 0.94797021836495232, 1e-12) && c.count == 7)
    }
}
