import DriftCore
import Foundation

/// Training time and scoring throughput of both models on a simulator-like table (16 numeric
/// features, two with missing values, and 4 categoricals of 12, 3, 3 and 20 levels). The peers
/// (scikit-learn, LightGBM) are timed on a table of the same design by docs/bench/peers_models.py.
public enum ModelBenchmarks {
    public static func run(rows: Int = 1_000_000, jobs: Int = Parallel.defaultJobs) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        let (table, labels) = syntheticTable(rows: rows, seed: 42)
        let features = table.columnNames
        let n = Double(rows)

        // Logistic regression: encode, fit, score.
        var encoding: FeatureEncoding? = nil
        let encodeTime = Stopwatch.threadCPUSeconds { encoding = try? FeatureEncoder.fit(table, features: features) }
        guard let encoding else { return results }
        var matrix: FeatureMatrix? = nil
        let applyTime = Stopwatch.threadCPUSeconds { matrix = encoding.encode(table).0 }
        guard let x = matrix else { return results }
        results.append(BenchmarkResult(name: "feature encoding fit + apply, \(rows) rows", value: encodeTime + applyTime, unit: "cpu s",
                                       note: "\(x.columns) encoded columns"))
        for threads in Array(Set([1, jobs])).sorted() {
            var config = LogisticRegression.Configuration()
            config.jobs = threads
            var model: LogisticRegressionModel? = nil
            let body = { model = try? LogisticRegression.fit(x, labels: labels, configuration: config) }
            let t = threads == 1 ? Stopwatch.threadCPUSeconds(body) : Stopwatch.seconds(body)
            results.append(BenchmarkResult(name: "logistic regression fit (L-BFGS), \(threads) thread\(threads > 1 ? "s" : "")", value: t, unit: threads == 1 ? "cpu s" : "s",
                                           note: "\(model?.iterations ?? 0) iterations, tol 1e-6"))
        }
        var lr: LogisticRegressionModel? = nil
        lr = try? LogisticRegression.fit(x, labels: labels, configuration: { var c = LogisticRegression.Configuration(); c.jobs = jobs; return c }())
        if let lr {
            var sink = 0.0
            let t = Stopwatch.threadCPUSeconds(repeats: 3) { sink += lr.predictProbability(x)[rows / 2] }
            results.append(BenchmarkResult(name: "logistic regression scoring, encoded matrix, 1 core", value: n / t / 1e6, unit: "M rows/s",
                                           note: String(format: "AUC %.4f", Metrics.rocAUC(scores: lr.predictLogit(x), labels: labels))))
            let e = Stopwatch.threadCPUSeconds(repeats: 3) {
                sink += encoding.linearLogits(table, coefficients: lr.coefficients, intercept: lr.intercept).0.map(sigmoid)[0]
            }
            results.append(BenchmarkResult(name: "logistic regression scoring from the raw table, 1 core", value: n / e / 1e6, unit: "M rows/s",
                                           note: "what 'driftlab score' runs: encoding folded into the coefficients"))
            if sink.isNaN { results.append(BenchmarkResult(name: "sink", value: sink, unit: "")) }
        }

        // Stumps: bin, fit 200 rounds, score.
        var binning: HistogramBinning? = nil
        var binned: BinnedMatrix? = nil
        let binTime = Stopwatch.threadCPUSeconds {
            binning = try? HistogramBinning.fit(table, features: features)
            binned = binning?.bin(table).0
        }
        guard let binning, let b = binned else { return results }
        results.append(BenchmarkResult(name: "histogram binning fit + apply, \(rows) rows", value: binTime, unit: "cpu s"))
        let categorical = binning.features.map(\.isCategorical)
        var stumps: GradientBoostedStumpsModel? = nil
        for threads in Array(Set([1, jobs])).sorted() {
            var config = GradientBoostedStumps.Configuration(rounds: 200, learningRate: 0.1)
            config.jobs = threads
            let body = { stumps = try? GradientBoostedStumps.fit(b, labels: labels, categorical: categorical, configuration: config) }
            let t = threads == 1 ? Stopwatch.threadCPUSeconds(body) : Stopwatch.seconds(body)
            results.append(BenchmarkResult(name: "200 stumps fit, \(threads) thread\(threads > 1 ? "s" : "")", value: t, unit: threads == 1 ? "cpu s" : "s",
                                           note: "\(stumps?.rounds ?? 0) rounds"))
        }
        if let stumps {
            var sink = 0.0
            let t = Stopwatch.threadCPUSeconds(repeats: 3) { sink += stumps.predictProbability(b)[rows / 2] }
            results.append(BenchmarkResult(name: "200 stumps scoring, binned matrix, 1 core", value: n / t / 1e6, unit: "M rows/s",
                                           note: String(format: "AUC %.4f", Metrics.rocAUC(scores: stumps.predictLogit(b), labels: labels))))
            let scorer = StumpScorer(model: stumps, binning: binning)
            let e = Stopwatch.threadCPUSeconds(repeats: 3) { sink += scorer.logits(table, binning: binning).0.map(sigmoid)[0] }
            results.append(BenchmarkResult(name: "200 stumps scoring from the raw table, 1 core", value: n / e / 1e6, unit: "M rows/s",
                                           note: "what 'driftlab score' runs: stumps compiled to step functions"))
            if sink.isNaN { results.append(BenchmarkResult(name: "sink", value: sink, unit: "")) }
        }
        return results
    }

    /// A simulator-like table with a nonlinear risk, from our generator (same design as the peers' script).
    public static func syntheticTable(rows n: Int, seed: UInt64) -> (Table, [UInt8]) {
        var g = Xoshiro256StarStar(seed: seed, stream: streamID("model-bench"))
        var numeric = [[Double]](repeating: [Double](repeating: 0, count: n), count: 16)
        let cardinalities = [12, 3, 3, 20]
        var codes = [[Int32]](repeating: [Int32](repeating: 0, count: n), count: 4)
        var labels = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let amount = g.lognormal(mu: 3.5, sigma: 1)
            let distance = g.exponential(rate: 1.0 / 15)
            let age = g.uniform(1, 4000)
            let hour = Double(g.index(24))
            let device = g.uniform() * g.uniform()
            let ip = g.uniform() * g.uniform() * g.uniform()
            let c1h = Double(g.poisson(0.3)), c24h = c1h + Double(g.poisson(2))
            let sum24 = amount * (1 + c24h), ratio = amount / g.lognormal(mu: 3.5, sigma: 0.6)
            let foreign = g.bernoulli(0.1) ? 1.0 : 0, newMerchant = g.bernoulli(0.2) ? 1.0 : 0
            let newDevice = g.bernoulli(0.1) ? 1.0 : 0, cvv = g.bernoulli(0.97) ? 1.0 : 0
            let avs = g.bernoulli(0.92) ? 1.0 : 0, noise = g.normal()
            let row = [amount, g.bernoulli(0.03) ? .nan : distance, age, hour, g.bernoulli(0.05) ? .nan : device, ip,
                       c1h, c24h, sum24, ratio, foreign, newMerchant, newDevice, cvv, avs, noise]
            for k in 0..<16 { numeric[k][i] = row[k] }
            var cat = [Int32](repeating: 0, count: 4)
            for k in 0..<4 { cat[k] = Int32(g.index(cardinalities[k])); codes[k][i] = cat[k] }
            let f = -6.0 + 1.2 * (amount > 400 ? 1 : 0) + 2.5 * device + 2 * ip.squareRoot() + 0.9 * foreign * newMerchant
                + 1.1 * newDevice * (cat[1] != 0 ? 1 : 0) + 0.8 * (c1h >= 2 ? 1 : 0) + 1.0 * (1 - cvv) + 0.5 * (1 - avs)
                + 0.7 * (cat[0] >= 9 ? 1 : 0) + 0.6 * (hour <= 5 ? 1 : 0) - 0.5 * (age > 365 ? 1 : 0) + 0.8 * (cat[3] >= 17 ? 1 : 0)
            labels[i] = g.bernoulli(sigmoid(f)) ? 1 : 0
        }
        let names = ["amount", "distance_from_home_km", "account_age_days", "hour", "device_risk_score", "ip_risk_score",
                     "txn_count_1h", "txn_count_24h", "amount_sum_24h", "amount_ratio_30d", "is_foreign", "new_merchant",
                     "new_device", "cvv_match", "avs_match", "noise"]
        let catNames = ["merchant_category", "channel", "card_type", "merchant_country"]
        var columns: [(String, Column)] = zip(names, numeric).map { ($0, .numeric($1)) }
        for k in 0..<4 {
            let levels = (0..<cardinalities[k]).map { "\(catNames[k])_\($0)" }
            columns.append((catNames[k], .categorical(CategoricalColumn(codes: codes[k], levels: levels))))
        }
        return ((try? Table(columns: columns)) ?? Table(), labels)
    }
}
