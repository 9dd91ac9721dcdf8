import DriftCore
import DriftDetectors
import Foundation

extension Rate {
    func json() -> JSON {
        let ci = interval
        func n(_ x: Double) -> JSON { x.isFinite ? .number(x) : .null }
        return .object([("value", n(value)), ("interval_95", .array([n(ci.lower), n(ci.upper)])),
                        ("successes", .number(Double(successes))), ("trials", .number(Double(trials)))])
    }
}

extension PostmortemResult {
    /// The postmortem's figures as one JSON document (`postmortem.json`, and `--json` on stdout).
    public func json() -> JSON {
        func n(_ x: Double?) -> JSON { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
        func day(_ d: Int?) -> JSON { d.map { .number(Double($0)) } ?? .null }
        var symptomJSON: JSON = .null
        if let s = symptom {
            var cp: JSON = .null
            if let c = s.changePoint {
                cp = .object([("day", .number(Double(c.day))), ("statistic", n(c.statistic)), ("p_value", n(c.pValue)),
                              ("significant_drop", .bool(c.isDrop)), ("recall_before", c.before.json()), ("recall_after", c.after.json())])
            }
            symptomJSON = .object([
                ("card_recall", s.cardRecall.json()), ("card_precision", s.cardPrecision.json()), ("card_alert_rate", n(s.cardAlertRate)),
                ("change_point", cp), ("visible_day", day(s.visibleDay)),
                ("extra_missed_frauds", n(s.extraMissedFrauds)), ("extra_missed_amount", n(s.extraMissedAmount)),
            ])
        }
        let root = rootCause
        let rootJSON: JSON = .object([
            ("kind", .string(root.kind.rawValue)), ("subkind", root.subkind.map(JSON.string) ?? .null),
            ("feature", root.feature.map(JSON.string) ?? .null), ("cause", .string(root.cause.rawValue)),
            ("from_day", .number(Double(root.from))),
            ("diagnosis_votes", .object(root.diagnosisVotes.map { ($0.0.rawValue, .number(Double($0.1))) })),
            ("evidence", .array(root.evidence.map(JSON.string))),
            ("repairs", .array(root.repairs.map { r in
                .object([("description", .string(r.description)), ("kind", .string(r.kind.rawValue)),
                         ("subkind", r.subkind.map(JSON.string) ?? .null), ("feature", r.feature.map(JSON.string) ?? .null),
                         ("recall", r.recall.json()), ("recovered", n(r.recovered))])
            })),
        ])
        var fixJSON: JSON = .null
        if let f = fixes {
            fixJSON = .object([
                ("fit_days", .array([.number(Double(f.fitDays.lowerBound)), .number(Double(f.fitDays.upperBound))])),
                ("eval_days", .array([.number(Double(f.evalDays.lowerBound)), .number(Double(f.evalDays.upperBound))])),
                ("recall_before_change", f.before.json()), ("as_run_recall", f.asRun.recall.json()),
                ("as_run_precision", f.asRun.precision.json()), ("as_run_alert_rate", f.asRun.alertRate.json()),
                ("lost_recall", n(f.lostRecall)), ("loss_significant", .bool(f.lossIsSignificant)),
                ("fixes", .array(f.fixes.map { x in
                    .object([("horizon", .string(x.horizon)), ("title", .string(x.title)), ("description", .string(x.description)),
                             ("recall", x.recall.json()), ("precision", x.precision.json()), ("alert_rate", x.alertRate.json()),
                             ("recovered_share", n(x.recoveredShare)),
                             ("recovered_share_interval", .array([n(x.recoveredInterval.lower), n(x.recoveredInterval.upper)]))])
                })),
            ])
        }
        return .object([
            ("tool", .string("driftlab diagnose \(DriftLabVersion.current)")),
            ("reference", .string(options.reference)), ("logs", .string(options.logs)),
            ("reference_rows", .number(Double(reference.rowCount))), ("log_rows", .number(Double(logs.rowCount))),
            ("log_days", .array([.number(Double(logs.firstDay)), .number(Double(logs.lastDay))])),
            ("roles", .object(logs.roles.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("features", .array(logs.features.columnNames.map(JSON.string))),
            ("model", .object([("kind", .string(model.kind.rawValue)), ("trained_here", .bool(modelTrainedHere)),
                               ("threshold", n(model.threshold)), ("alert_budget", n(budget)),
                               ("importance", .object(zip(model.featureNames, model.featureImportance).sorted { ($0.1, $1.0) > ($1.1, $0.0) }
                                   .prefix(8).map { ($0.0, .number(($0.1 * 10_000).rounded() / 10_000)) }))])),
            ("matured_labels", .bool(maturedLabels)),
            ("symptom", symptomJSON), ("root_cause", rootJSON), ("fixes", fixJSON),
            ("detectors", .array(detectors.map { d in
                .object([("detector", .string(d.detector)), ("first_alarm_day", day(d.firstAlarm)), ("kind", .string(d.kind.rawValue)),
                         ("features", .array(d.features.map(JSON.string))), ("alarm_steps", .number(Double(d.alarmSteps))),
                         ("false_alarms_per_30_days", n(d.falseAlarmsPer30Days))])
            })),
            ("label_free", .array(labelFree.map { .object([("day", .number(Double($0.day))), ("cbpe_recall", n($0.cbpeRecall)),
                                                           ("bbse_prior", n($0.bbsePrior))]) })),
            ("notes", .array(notes.map(JSON.string))),
        ])
    }
}
