import Foundation
import DriftCore

/// ROC AUC by the Mann-Whitney U statistic: AUC = (R₁ - n₁(n₁+1)/2)/(n₁n₀) with mid-ranks for ties.
/// Internal to the monitors until the models branch lands: to be replaced by DriftModels' ROC AUC
/// metric at integration. Returns nil when either class is absent.
enum RankAUC {
    static func auc(scores: [Double], labels: [Bool]) -> Double? {
        let n = Swift.min(scores.count, labels.count)
        var order = [Int]()
        order.reserveCapacity(n)
        for i in 0..<n where scores[i].isFinite { order.append(i) }
        var positives = 0
        for i in order where labels[i] { positives += 1 }
        let negatives = order.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        scores.withUnsafeBufferPointer { s in order.sort { s[$0] < s[$1] } }
        var rankSum = 0.0
        var k = 0
        while k < order.count {
            var e = k
            while e + 1 < order.count && scores[order[e + 1]] == scores[order[k]] { e += 1 }
            let midRank = Double(k + e) / 2 + 1
            for t in k...e where labels[order[t]] { rankSum += midRank }
            k = e + 1
        }
        let n1 = Double(positives), n0 = Double(negatives)
        return (rankSum - n1 * (n1 + 1) / 2) / (n1 * n0)
    }
}
