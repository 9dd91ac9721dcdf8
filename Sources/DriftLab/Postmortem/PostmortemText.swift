import DriftCore
import DriftDetectors
import Foundation

/// postmortem.md and monitoring.md in the team's template. Every figure names the CSV it comes from.
enum PostmortemText {
    static func kindText(_ rc: RootCause) -> String {
        "\(rc.kind.rawValue)\(rc.subkind.map { " / \($0)" } ?? "")\(rc.feature.map { " on `\($0)`" } ?? "")"
    }

    static func causeText(_ c: CauseClass) -> String {
        switch c {
        case .pipelineBug: return "a pipeline bug (the world did not change; what the model was served did)"
        case .drift: return "drift (the world changed)"
        case .labellingArtefact: return "a labelling artefact (the labels, not the model, changed)"
        case .none: return "no failure the battery could name"
        }
    }

    static func postmortem(_ r: PostmortemResult) -> String {
        let rc = r.rootCause
        var md = "# Postmortem: \(r.symptom?.changePoint?.isDrop == true ? "quiet recall drop" : "model health review") from the production logs\n\n"
        md += "_Written by `driftlab diagnose` as of day \(r.logs.lastDay), the last log day, from `\(r.options.reference)` (reference, "
        md += "\(r.reference.rowCount) rows) and `\(r.options.logs)` (logs, \(r.logs.rowCount) rows, days \(r.logs.firstDay)...\(r.logs.lastDay)). "
        md += "Only labels that had arrived by each day are used for that day. Figures: see the CSV files named beside each number, "
        md += "and report.html._\n\n"

        // Summary
        md += "## Summary\n\n"
        if let s = r.symptom, let c = s.changePoint, c.isDrop {
            md += "Recall on matured labels fell on day **\(c.day)** from \(Fmt.rate(c.before)) to \(Fmt.rate(c.after)) "
            md += "(change-point likelihood ratio \(Fmt.num(c.statistic, 1)), p = \(Fmt.num(c.pValue, 6)) after Bonferroni; `daily.csv`). "
        } else if r.maturedLabels {
            md += "Recall on matured labels shows no significant change-point (`daily.csv`). "
        } else {
            md += "**No matured labels yet**: no fraud label had arrived in the logs, so recall cannot be measured; the figures below "
            md += "are label-free estimates (CBPE expected recall, BBSE fraud prior; `steps.csv`). "
        }
        md += "The most likely root cause is **\(kindText(rc))**, \(causeText(rc.cause)).\n"
        if let f = r.fixes, let short = f.fixes.first, !f.lossIsSignificant {
            md += "Recall after day \(f.evalDays.lowerBound) is not significantly below recall before the change, so there is no loss to recover; "
            md += "the fixes below are measured anyway (`fixes.csv`).\n"
            _ = short
        } else if let f = r.fixes, let short = f.fixes.first {
            md += "The short-term fix (\(short.title.lowercased())) recovers **\(Fmt.p(short.recoveredShare, 0))** of the lost recall on held-out "
            md += "days \(f.evalDays.lowerBound)...\(f.evalDays.upperBound) at the same alert budget (`fixes.csv`).\n"
        }
        md += "\n"

        // Impact
        md += "## Impact\n\n"
        if let s = r.symptom {
            md += "- Model card (validation split of the reference): recall \(Fmt.rate(s.cardRecall)), precision \(Fmt.rate(s.cardPrecision)), "
            md += "alert rate \(Fmt.p(s.cardAlertRate, 2)).\n"
            if let c = s.changePoint, c.isDrop {
                md += "- After day \(c.day): \(Fmt.num(s.extraMissedFrauds, 0)) more frauds missed among the \(c.after.trials) whose chargeback had arrived "
                md += "by day \(r.logs.lastDay) (frauds x (recall before - recall after))"
                if let a = s.extraMissedAmount { md += ", carrying about \(Fmt.money(a)) in amount" }
                md += ". Frauds whose chargeback has not arrived yet add to this.\n"
            }
            let weeks = r.weeks
            if !weeks.isEmpty {
                md += "\n| week (days) | rows | recall (matured labels) | precision (lower bound) | alert rate |\n|---|---|---|---|---|\n"
                for w in weeks { md += "| \(w.from)...\(w.to) | \(w.rows) | \(Fmt.rate(w.recall)) | \(Fmt.rate(w.precision)) | \(Fmt.p(w.alertRate.value, 2)) |\n" }
                md += "\n_Source: `weekly.csv`. Recent weeks have few matured labels: their intervals are wide._\n"
            }
        } else {
            md += "Label-free estimates per monitoring step (`steps.csv`):\n\n| day | CBPE expected recall | BBSE fraud prior |\n|---|---|---|\n"
            for x in r.labelFree { md += "| \(x.day) | \(Fmt.p(x.cbpeRecall)) | \(Fmt.num(x.bbsePrior, 4)) |\n" }
        }
        md += "\n"

        // Timeline
        md += "## Timeline\n\n"
        var events: [(Int, String)] = []
        if let c = r.symptom?.changePoint, c.isDrop { events.append((c.day, "recall change-point (the drop began)")) }
        if let v = r.symptom?.visibleDay { events.append((v, "the drop became visible on matured labels (recall of the cohorts since the change significantly below the cohorts before, on the labels arrived by then)")) }
        if let d = r.detectors.first(where: { $0.detector == "diagnosis" }), let f = d.firstAlarm {
            events.append((f, "the lab's diagnosis first read a failure: \(d.kind.rawValue)\(d.features.isEmpty ? "" : " on \(d.features.joined(separator: ", "))")"))
        }
        for d in r.detectors where d.detector != "diagnosis" && d.firstAlarm != nil {
            events.append((d.firstAlarm!, "`\(d.detector)` would first have alarmed (\(d.kind.rawValue)\(d.features.isEmpty ? "" : ", \(d.features.joined(separator: ", "))"))"))
        }
        events.append((r.logs.lastDay, "this postmortem"))
        for (day, text) in events.sorted(by: { $0.0 < $1.0 }) { md += "- day \(day): \(text)\n" }
        md += "\n"

        // Detection
        md += "## Detection\n\n"
        let visible = r.symptom?.visibleDay
        md += "The drop \(visible.map { "became visible on matured labels on day \($0)" } ?? "never became significant on matured labels"). "
        md += "Chargebacks arrive weeks after the transaction (median of the reference's arrival curve), so a recall monitor on matured labels "
        md += "lags the change by that much. The detector battery replayed over the logs (`detectors.csv`):\n\n"
        md += "| detector | first alarm (day) | days before visible | reads | alarm steps |\n|---|---|---|---|---|\n"
        for d in r.detectors where d.firstAlarm != nil {
            let lead = (visible != nil && d.firstAlarm != nil) ? String(visible! - d.firstAlarm!) : "n/a"
            md += "| \(d.detector) | \(d.firstAlarm!) | \(lead) | \(d.kind.rawValue)\(d.features.isEmpty ? "" : " (\(d.features.joined(separator: ", ")))") | \(d.alarmSteps) |\n"
        }
        let silent = r.detectors.filter { $0.firstAlarm == nil }.map(\.detector)
        if !silent.isEmpty { md += "\nNever alarmed: \(silent.joined(separator: ", ")).\n" }
        md += "\n"

        // Root cause
        md += "## Root cause and evidence\n\n"
        md += "**\(kindText(rc))** — \(causeText(rc.cause)).\n\n"
        for e in rc.evidence { md += "- \(e)\n" }
        if !rc.repairs.isEmpty {
            md += "\nCandidate causes ranked by the recall each repair recovers, replayed on the matured logs from day \(rc.from) at the "
            md += "alert budget (\(Fmt.p(r.budget, 2))); `repairs.csv`:\n\n| rank | repair | would undo | recall after repair | recovered |\n|---|---|---|---|---|\n"
            for (k, x) in rc.repairs.prefix(10).enumerated() {
                md += "| \(k + 1) | \(x.description) | \(x.kind.rawValue)\(x.subkind.map { " / \($0)" } ?? "") | \(Fmt.rate(x.recall)) | \(x.recovered >= 0 ? "+" : "")\(Fmt.p(x.recovered)) |\n"
            }
        }
        if let d = r.rootFeatureDistribution {
            var topShift = (0, 0.0)
            for k in 0..<d.bins.count where abs(d.after[k] - d.before[k]) > topShift.1 { topShift = (k, abs(d.after[k] - d.before[k])) }
            md += "\n`\(d.feature)` before and after the change (`root_feature.csv`): bin \(d.bins[topShift.0]) holds \(Fmt.p(d.reference[topShift.0])) of the reference, "
            md += "\(Fmt.p(d.before[topShift.0])) of the logs before day \(rc.from) and \(Fmt.p(d.after[topShift.0])) after.\n"
        }
        if !r.slices.isEmpty {
            md += "\nSegments where recall fell most (`slices.csv`):\n\n| feature | level | recall before | recall after |\n|---|---|---|---|\n"
            for s in r.slices.prefix(5) { md += "| \(s.feature) | \(s.level) | \(Fmt.rate(s.before)) | \(Fmt.rate(s.after)) |\n" }
        }
        let others = rc.diagnosisVotes.filter { $0.0 != rc.kind }
        if !others.isEmpty {
            md += "\nOther readings (not the root cause): \(others.map { "\($0.0.rawValue) on \($0.1) steps" }.joined(separator: ", ")). "
            md += "A reading that repairs do not confirm (no recall recovered) is a red herring: the inputs moved but the model's errors did not come from it.\n"
        }
        md += "\n"

        // Why quiet
        md += "## Why it was quiet\n\n"
        md += quietText(r)
        md += "\n"

        // Fixes
        md += "## Fixes with quantified recovery\n\n"
        if let f = r.fixes {
            md += "Chosen on days \(f.fitDays.lowerBound)...\(f.fitDays.upperBound), evaluated on held-out days \(f.evalDays.lowerBound)...\(f.evalDays.upperBound) "
            md += "(matured labels as of day \(r.logs.lastDay)), at the alert budget of \(Fmt.p(r.budget, 2)) (`fixes.csv`). "
            md += "Recall before the change: \(Fmt.rate(f.before)); the model as it ran on the held-out days: recall \(Fmt.rate(f.asRun.recall)), "
            md += "precision \(Fmt.rate(f.asRun.precision)), alert rate \(Fmt.p(f.asRun.alertRate.value, 2)); lost recall \(Fmt.p(f.lostRecall)).\n\n"
            for x in f.fixes {
                md += "### \(x.horizon == "short_term" ? "Short term" : "Structural"): \(x.title)\n\n\(x.description)\n\n"
                md += "- recall \(Fmt.rate(x.recall)); precision (lower bound) \(Fmt.rate(x.precision)); alert rate \(Fmt.p(x.alertRate.value, 2))\n"
                if !f.lossIsSignificant { md += "- no significant loss to recover (recall before vs as run on these days)\n\n"; continue }
                md += "- recovers \(Fmt.p(x.recoveredShare, 0)) of the lost recall (interval from the recall's: \(Fmt.p(x.recoveredInterval.lower, 0)) ... \(Fmt.p(x.recoveredInterval.upper, 0)))\n\n"
            }
        } else {
            md += "Not quantified: \(r.maturedLabels ? "the period after the change is shorter than two weeks" : "no matured labels to replay on"). "
            md += "Short term: recalibrate the threshold to the alert budget and watch the label-free estimates; structural: retrain once labels mature.\n\n"
        }

        // Caught earlier
        md += "## What would have caught this earlier\n\n"
        let early = r.detectors.filter { d in d.detector != "diagnosis" && d.firstAlarm != nil && d.firstAlarm! >= rc.from - 14 }
            .sorted { ($0.firstAlarm!, $0.detector) < ($1.firstAlarm!, $1.detector) }
        if early.isEmpty {
            md += "No detector alarmed near the change. The monitors in monitoring.md are the standard set.\n"
        } else {
            md += "| monitor | first alarm (day) | lead over matured-label recall (days) | threshold | false alarms per 30 days (standard sweep) |\n|---|---|---|---|---|\n"
            for d in early.prefix(8) {
                let lead = visible.map { String($0 - d.firstAlarm!) } ?? "n/a"
                md += "| \(d.detector) | \(d.firstAlarm!) | \(lead) | \(Fmt.num(d.threshold, 4)) | \(d.falseAlarmsPer30Days.map { Fmt.num($0, 3) } ?? "not available") |\n"
            }
            md += "\nFalse-alarm rates come from `\(r.options.sweepSummary)` (\(r.sweepAvailable ? "the committed standard sweep: control runs" : "not available")).\n"
        }
        md += "\n## Action items\n\n| action | owner | due |\n|---|---|---|\n"
        for f in r.fixes?.fixes ?? [] { md += "| \(f.title) | | |\n" }
        md += "| Deploy the monitors in monitoring.md with their thresholds and escalation | | |\n"
        if rc.cause == .pipelineBug { md += "| Add a schema and quality contract at ingestion for `\(rc.feature ?? "the affected feature")` | | |\n" }
        md += "| Monitor recall on matured labels weekly, with the label-arrival curve | | |\n"
        if !r.notes.isEmpty { md += "\n## Notes\n\n" + r.notes.map { "- \($0)\n" }.joined() }
        return md
    }

    static func quietText(_ r: PostmortemResult) -> String {
        let rc = r.rootCause
        var t = ""
        let alert = r.detectors.first { $0.detector == "alert_rate" }
        let pred = r.detectors.first { $0.detector == "prediction_drift" }
        switch rc.cause {
        case .pipelineBug:
            t += "Nothing crashed and no row was rejected: the serving layer kept sending values of the right type, so the model kept scoring. "
            if rc.kind == .dataQuality { t += "A default fill does not show up as missing; only a stuck-value or variance check on the feature sees it. " }
        case .drift: t += "The inputs or the fraud mix changed gradually; no single day looked wrong. "
        case .labellingArtefact: t += "Labels arrived later or fewer; the model's inputs and outputs looked normal. "
        case .none: break
        }
        t += "Recall can only be measured once chargebacks arrive (weeks later), "
        t += "the alert rate \(alert?.firstAlarm == nil ? "did not move enough to alarm" : "alarmed only on day \(alert!.firstAlarm!)") "
        t += "and the score distribution \(pred?.firstAlarm == nil ? "did not alarm" : "alarmed on day \(pred!.firstAlarm!)"). "
        t += "Feature drift alarms on harmless changes (e.g. seasonal mix) train a team to ignore them.\n"
        return t
    }

    static func monitoring(_ r: PostmortemResult) -> String {
        var md = "# Monitoring plan\n\n_From `driftlab diagnose` on `\(r.options.logs)`; false-alarm rates from `\(r.options.sweepSummary)` "
        md += "(\(r.sweepAvailable ? "control runs of the standard sweep" : "not available")). Window \(r.options.windowDays) days, step \(r.options.stepDays) days._\n\n"
        md += "## Monitors to run\n\n| monitor | watches | threshold | alarm policy | would have alarmed (day) | false alarms per 30 days |\n|---|---|---|---|---|---|\n"
        let watched: [(String, String)] = [
            ("missing_rate", "missing share per feature"), ("stuck_value", "share of the modal value per feature (default fills)"),
            ("variance_collapse", "variance per feature"), ("range", "values outside the training range"),
            ("unit_scale", "round scale factors (cents, thousands)"), ("unseen_categories", "new category codes"),
            ("column_swap", "a feature distributed like another"), ("psi", "PSI per feature (paging only with importance)"),
            ("prediction_drift", "score distribution"), ("alert_rate", "share of alerts vs the budget"),
            ("cbpe", "label-free expected recall"), ("bbse", "fraud prior from the confusion matrix"),
            ("label_arrival", "chargeback arrivals vs the reference curve"), ("concept_drift", "recall on arrived labels vs the label-free estimate"),
            ("score_band_calibration", "arrived frauds per score band vs the reference's band rates"),
            ("slice_calibration", "arrived frauds per feature slice among rows of equal score"),
        ]
        for (id, what) in watched {
            guard let d = r.detectors.first(where: { $0.detector == id }) else { continue }
            let policy = ["unit_scale", "unseen_categories", "column_swap"].contains(id) ? "first step" : "2 consecutive steps"
            md += "| `\(id)` | \(what) | \(Fmt.num(d.threshold, 4)) | \(policy) | \(d.firstAlarm.map(String.init) ?? "-") | \(d.falseAlarmsPer30Days.map { Fmt.num($0, 3) } ?? "not available") |\n"
        }
        md += "\n## Retraining triggers\n\n"
        md += "- Recall on matured labels (cohorts 7-56 days old) below the model card's lower interval bound for 2 consecutive weeks.\n"
        md += "- The label-free estimate (CBPE) and measured recall disagree by more than 5 points (concept drift).\n"
        md += "- Do NOT retrain on a pipeline alarm (missing, stuck, unit, swap): fix the pipeline first, or the model learns the bug.\n"
        md += "\n## Escalation\n\n"
        md += "1. Schema and quality alarms (missing, stuck, unit scale, unseen categories, column swap): page the data-pipeline on-call the same day; "
        md += "route affected rows to the fallback score (see postmortem.md, short-term fix).\n"
        md += "2. Output alarms (alert rate, prediction drift, BBSE, CBPE): the model owner checks within 2 working days; recalibrate the threshold to the budget if needed.\n"
        md += "3. Label alarms (arrival, concept drift): the fraud-operations owner confirms the chargeback feed before any retraining.\n"
        md += "4. Feature drift without a quality signature: review weekly; act only when the feature matters to the model (importance >= 2 %).\n"
        return md
    }
}
