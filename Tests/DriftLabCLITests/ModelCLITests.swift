import Foundation
import Testing

/// `driftlab train` and `driftlab score` end to end on the model fixture (uses CLIRunner.swift).
@Suite struct ModelCLITests {
    let fixture = packageRoot.appendingPathComponent("Tests/Fixtures/models/transactions.csv").path

    @Test func trainThenScoreHappyPath() throws {
        let dir = try makeScratchFolder("model-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model.json").path
        let train = try runDriftlab(["train", "--data", fixture, "--model", "stumps", "--rounds", "60", "--out", model])
        #expect(train.exitCode == 0, "\(train.stderr)")
        #expect(train.stdout.contains("validation ROC AUC"))
        let card = try String(contentsOfFile: model, encoding: .utf8)
        for key in ["\"binning\"", "\"hyperparameters\"", "\"calibration\"", "\"threshold\"", "\"alert_budget\"", "\"roc_auc_interval_95\"",
                    "\"day_range\"", "\"feature_importance\""] {
            #expect(card.contains(key), "model card lacks \(key)")
        }

        // Production: drop a feature column and add an unseen category; both are reported, not fatal.
        let lines = try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        var header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let drop = try #require(header.firstIndex(of: "ip_risk_score"))
        let category = try #require(header.firstIndex(of: "merchant_category"))
        header.remove(at: drop)
        var rows = [header.joined(separator: ",")]
        for (k, line) in lines[1..<201].enumerated() {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if k % 10 == 0 { f[category] = "space_tourism" }
            f.remove(at: drop)
            rows.append(f.joined(separator: ","))
        }
        let production = dir.appendingPathComponent("production.csv").path
        try (rows.joined(separator: "\n") + "\n").write(toFile: production, atomically: true, encoding: .utf8)
        let scores = dir.appendingPathComponent("scores.csv").path
        let score = try runDriftlab(["score", "--model", model, "--data", production, "--out", scores])
        #expect(score.exitCode == 0, "\(score.stderr)")
        #expect(score.stderr.contains("ip_risk_score") && score.stderr.contains("space_tourism"))
        let out = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n")
        #expect(out.count == 201)
        #expect(out[0] == Substring(header.joined(separator: ",") + ",score,decision"))
        // Original cells are copied verbatim.
        #expect(out[1].hasPrefix(Substring(rows[1] + ",")))
    }

    @Test func clearErrors() throws {
        let dir = try makeScratchFolder("model-cli-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.json").path
        func write(_ name: String, _ text: String) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        let oneClass = try write("one.csv", "x,is_fraud\n1,0\n2,0\n3,0\n")
        var r = try runDriftlab(["train", "--data", oneClass, "--model", "logistic", "--out", out])
        #expect(r.exitCode == 1 && r.stderr.contains("one.csv: label column 'is_fraud' is 0 on all 3 rows; training needs both"), "\(r.stderr)")
        let headerOnly = try write("header.csv", "x,is_fraud\n")
        r = try runDriftlab(["train", "--data", headerOnly, "--model", "logistic", "--out", out])
        #expect(r.exitCode == 1 && r.stderr.contains("header.csv: the data has no rows"), "\(r.stderr)")

        let badLabel = try write("bad.csv", "x,is_fraud\n1,0\n2,1\n3,yes\n4,0\n")
        r = try runDriftlab(["train", "--data", badLabel, "--model", "logistic", "--out", out])
        #expect(r.exitCode == 1 && r.stderr.contains("bad.csv:4:") && r.stderr.contains("'yes'"))
        let missingLabel = try write("na-label.csv", "x,is_fraud\n1,0\n2,1\n3,NA\n4,0\n")
        r = try runDriftlab(["train", "--data", missingLabel, "--model", "logistic", "--out", out])
        #expect(r.exitCode == 1 && r.stderr.contains("na-label.csv:4:") && r.stderr.contains("found a missing label"))

        r = try runDriftlab(["train", "--data", badLabel, "--model", "logistic", "--label", "fraud", "--out", out])
        #expect(r.exitCode == 1 && r.stderr.contains("bad.csv: no label column 'fraud'"), "\(r.stderr)")

        r = try runDriftlab(["train", "--data", badLabel, "--model", "forest", "--out", out])
        #expect(r.exitCode == 64)

        let corrupt = try write("corrupt.json", "{\"format\": \"driftlab-model\", \"format_version\": 1, \"kind\": \"stumps\"")
        r = try runDriftlab(["score", "--model", corrupt, "--data", badLabel, "--out", dir.appendingPathComponent("s.csv").path])
        #expect(r.exitCode == 1 && r.stderr.contains("not a usable model file"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// The score is written in the shortest text that reads back as the probability, so `score >=
    /// threshold` agrees with `decision` (with 6 fixed decimals 0.49999975 read 0.500000 under a
    /// threshold of 0.5, and 3e-8 read 0.000000 under 1e-8, both against their decision). The model:
    /// logit = x, no calibration, so the score is the probability the decision compares.
    @Test func theScoreReadsBackAsTheProbabilityTheDecisionCompared() throws {
        let dir = try makeScratchFolder("model-cli-score-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("x.csv").path
        try "x\n-1e-6\n1e-6\n-17.32\n-20\n".write(toFile: data, atomically: true, encoding: .utf8)
        for threshold in ["0.5", "1e-8"] {
            let model = dir.appendingPathComponent("model.json").path
            try """
            {"format": "driftlab-model", "format_version": 1, "kind": "logistic", "label": "is_fraud", "features": ["x"],
             "encoding": [{"name": "x", "type": "numeric", "median": 0, "mean": 0, "scale": 1, "missing_indicator": false}],
             "model": {"intercept": 0, "columns": ["x"], "coefficients": [1]}, "calibration": {"method": "none"},
             "threshold": {"policy": "fixed", "parameter": \(threshold), "value": \(threshold)}}
            """.write(toFile: model, atomically: true, encoding: .utf8)
            let scores = dir.appendingPathComponent("scores.csv").path
            let r = try runDriftlab(["score", "--model", model, "--data", data, "--out", scores, "--quiet"])
            #expect(r.exitCode == 0, "\(r.stderr)")
            let rows = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
            #expect(rows.map { $0[2] } == (threshold == "0.5" ? ["0", "1", "0", "0"] : ["1", "1", "1", "0"]), "\(rows)")
            for row in rows {
                let score = try #require(Double(String(row[1])), "\(row)")
                #expect((score >= Double(threshold)!) == (row[2] == "1"), "threshold \(threshold): \(row)")
            }
            let tiny = try #require(Double(String(rows[2][1])))
            #expect(abs(tiny / 3.0e-8 - 1) < 0.01, "\(rows[2])")
        }
    }

    /// `--missing` on train and score: "?" read as missing keeps a numeric column numeric (without it
    /// the column turns categorical in training, and scoring warns that it holds text).
    @Test func missingMarkersOnTrainAndScore() throws {
        let dir = try makeScratchFolder("model-cli-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "amount,channel,is_fraud\n"
        for k in 0..<400 {
            let fraud = k % 10 == 0
            let amount = k % 7 == 3 ? "?" : String(fraud ? 300 + k % 50 : 20 + k % 60)
            text += "\(amount),\(k % 3 == 0 ? "online" : "pos"),\(fraud ? 1 : 0)\n"
        }
        let data = dir.appendingPathComponent("data.csv").path
        try text.write(toFile: data, atomically: true, encoding: .utf8)
        let withMarker = dir.appendingPathComponent("with.json").path, without = dir.appendingPathComponent("without.json").path
        var r = try runDriftlab(["train", "--data", data, "--model", "logistic", "--missing", "?", "--out", withMarker, "--quiet"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        r = try runDriftlab(["train", "--data", data, "--model", "logistic", "--out", without, "--quiet"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        /// The model card's encoded feature names: a categorical amount has one per level ("amount=20", ...).
        func categoricalAmount(_ path: String) throws -> Bool {
            try String(contentsOfFile: path, encoding: .utf8).contains("\"amount=")
        }
        #expect(try !categoricalAmount(withMarker))
        #expect(try categoricalAmount(without))

        let scores = dir.appendingPathComponent("scores.csv").path
        r = try runDriftlab(["score", "--model", withMarker, "--data", data, "--out", scores, "--quiet"])
        #expect(r.exitCode == 0 && r.stderr.contains("column 'amount' holds text"), "\(r.stderr)")
        r = try runDriftlab(["score", "--model", withMarker, "--data", data, "--missing", "?", "--out", scores, "--quiet"])
        #expect(r.exitCode == 0 && !r.stderr.contains("holds text"), "\(r.stderr)")
        // The cells are copied as they were.
        let lines = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 401 && lines[4].hasPrefix("?,online,0,"))
        r = try runDriftlab(["train", "--data", data, "--model", "logistic", "--out", without, "--missing"])
        #expect(r.exitCode == 64)
    }
}
