import DriftCore
import DriftDetectors

/// The combined diagnosis (docs/lab.md, "Diagnosis"): a decision list over one step's raw battery
/// readings, most specific signature first, so that the cases that fool single tests are told apart:
///
/// 1. schema signatures (parse failures, round scale ratio, column swap, time-zone offset, boolean
///    flip, unseen categories or a permutation, definition skew) -> `schema_change` (they also move
///    KS and PSI, so they take precedence over generic drift);
/// 2. data-quality signatures (duplicates, missing/dropped, stuck, variance collapse, stale counters,
///    out-of-range values) -> `data_quality`;
/// 3. label arrival moved (latency, coverage, outage) while inputs are stable -> `label_delay`
///    (it lowers recall measured on young cohorts, which is not concept drift);
/// 4. BBSE or the matured fraud rate says the prior moved while few features drift -> `prior_shift`
///    (the score distribution moves too, but as a mixture of the class-conditional ones);
/// 5. realised recall on matured labels below the label-free estimate (or the error-stream
///    detectors agree) with stable inputs -> `concept_drift`;
/// 6. feature drift tests fire without the signatures above -> `covariate_shift`, features ranked by
///    drift x model importance;
/// 7. otherwise `none`.
public enum Diagnosis {
    /// Schema detectors in precedence order, with the sub-kind each names.
    static let schema: [(String, String)] = [
        ("parse_failures", "type_change"), ("unit_scale", "unit_scale"), ("column_swap", "column_swap"),
        ("timezone", "timezone"), ("boolean_flip", "boolean_flip"), ("unseen_categories", "category_recode"),
        ("category_permutation", "category_recode"), ("definition_skew", "definition_skew"),
    ]
    /// Data-quality detectors in precedence order, with their default sub-kind.
    static let quality: [(String, String)] = [
        ("duplicates", "duplicates"), ("missing_rate", "missing"), ("stuck_value", "stuck"),
        ("variance_collapse", "stuck"), ("stale_counter", "stale"), ("range", "out_of_range"),
    ]

    static func diagnose(_ r: Reading) -> DiagnosisRecord {
        let drifted = r.drift.features.filter(\.alarm)
        let driftedNames = drifted.map(\.feature)
        // Important features drifting: importance share >= 2 % (DriftDetectors' paging rule).
        let importantDrift = drifted.filter { ($0.importanceShare ?? 0) >= 0.02 }
        var evidence: [String] = []

        for (id, sub) in schema {
            guard let d = r.detector(id), d.fired else { continue }
            evidence.append("\(id) fired on \(d.features.joined(separator: ", ")) (statistic \(fmt(d.statistic)))")
            return DiagnosisRecord(kind: .schemaChange, subkind: sub, features: d.features, confidence: 0.9, evidence: evidence)
        }
        for (id, sub) in quality {
            guard let d = r.detector(id), d.fired else { continue }
            evidence.append("\(id) fired on \(d.features.joined(separator: ", ")) (statistic \(fmt(d.statistic)))")
            return DiagnosisRecord(kind: .dataQuality, subkind: d.subkind ?? sub, features: d.features, confidence: 0.85, evidence: evidence)
        }
        let bbse = r.detector("bbse"), matured = r.detector("matured_fraud_rate")
        let priorMoved = (bbse?.fired ?? false) || (matured?.fired ?? false)
        if let a = r.detector("label_arrival"), a.fired, importantDrift.isEmpty {
            let sub = a.subkind ?? "slower"
            // A fraud drop also lowers the coverage O/E (fewer chargebacks than scores predict): BBSE decides.
            if !(sub == "coverage_drop" && priorMoved) {
                evidence.append("label arrival moved (\(sub), statistic \(fmt(a.statistic))) with stable inputs")
                return DiagnosisRecord(kind: .labelDelay, subkind: sub, features: [], confidence: 0.8, evidence: evidence)
            }
        }
        if priorMoved && importantDrift.count <= 1 {
            let d = (bbse?.fired ?? false) ? bbse! : matured!
            evidence.append("\(d.id): fraud prior \(fmt(d.statistic)) against \(fmt(d.threshold)); \(importantDrift.count) important features drift")
            return DiagnosisRecord(kind: .priorShift, subkind: d.subkind, features: [], confidence: 0.75, evidence: evidence)
        }
        let streamVotes = StreamBattery.ids.filter { r.fired($0) }.count
        if r.fired("concept_drift") && importantDrift.isEmpty {
            evidence.append("realised recall on matured labels \(fmt(r.detector("concept_drift")?.statistic ?? 0)) below the label-free estimate; inputs stable")
            if streamVotes > 0 { evidence.append("\(streamVotes) error-stream detectors agree") }
            return DiagnosisRecord(kind: .conceptDrift, subkind: nil, features: [], confidence: streamVotes > 0 ? 0.8 : 0.65, evidence: evidence)
        }
        if !drifted.isEmpty {
            let features = (importantDrift.isEmpty ? drifted : importantDrift).map(\.feature)
            let sub: String
            if features.first == "customer_segment" { sub = "segment_mix" } else if features.first == "channel" { sub = "channel_mix" } else { sub = "feature_shift" }
            evidence.append("drift tests fire on \(driftedNames.joined(separator: ", ")) without schema or quality signatures")
            return DiagnosisRecord(kind: .covariateShift, subkind: sub, features: features, confidence: importantDrift.isEmpty ? 0.5 : 0.7,
                                   evidence: evidence)
        }
        return DiagnosisRecord(kind: .none, subkind: nil, features: [], confidence: 0, evidence: [])
    }

    static func fmt(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let r = (x * 10_000).rounded() / 10_000
        return "\(r)"
    }
}
