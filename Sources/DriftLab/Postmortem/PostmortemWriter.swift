import DriftCharts
import DriftCore
import DriftDetectors
import Foundation

/// Writes the postmortem folder: postmortem.md, monitoring.md, report.html, postmortem.json and
/// the figures as CSV. Every file is written under a temporary name and renamed (AtomicFile, CSVWriter);
/// `postmortem.json` marks a whole set: removed before anything is replaced, written last, so a folder
/// without it holds an interrupted run (as `generate`'s `scenario.resolved.json`).
public enum PostmortemWriter {
    public static func write(_ r: PostmortemResult, to folder: String) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw FileError(path: folder, reason: "cannot create the output folder (\(error.localizedDescription))")
        }
        let marker = folder + "/postmortem.json"
        try AtomicFile.remove(marker)
        try writeFigures(r, folder)
        try AtomicFile.write(PostmortemText.postmortem(r), to: folder + "/postmortem.md")
        try AtomicFile.write(PostmortemText.monitoring(r), to: folder + "/monitoring.md")
        try PostmortemReport.html(r).write(to: folder + "/report.html")
        try AtomicFile.write(r.json().serialized(), to: marker)
    }

    /// The console summary (a few lines).
    public static func summary(_ r: PostmortemResult, folder: String) -> String {
        var lines: [String] = []
        let rc = r.rootCause
        lines.append("root cause: \(rc.kind.rawValue)\(rc.subkind.map { "/\($0)" } ?? "")\(rc.feature.map { " on \($0)" } ?? "") (\(rc.cause.rawValue))")
        if let s = r.symptom, let c = s.changePoint, c.isDrop {
            lines.append("recall dropped on day \(c.day): \(Fmt.rate(c.before)) -> \(Fmt.rate(c.after)); visible on matured labels from day \(s.visibleDay.map(String.init) ?? "never")")
        } else if r.maturedLabels {
            lines.append("no significant recall drop on matured labels")
        } else {
            lines.append("no matured labels yet: label-free estimates only (CBPE, BBSE)")
        }
        for f in r.fixes?.fixes ?? [] {
            let share = r.fixes?.lossIsSignificant == true ? "recovers \(Fmt.p(f.recoveredShare, 0)) of the lost recall" : "no significant loss to recover"
            lines.append("\(f.horizon): \(f.title): recall \(Fmt.rate(f.recall)) on held-out days, \(share)")
        }
        lines.append("wrote \(folder)/postmortem.md, monitoring.md, report.html and the figures")
        return lines.joined(separator: "\n")
    }

    static func writeFigures(_ r: PostmortemResult, _ folder: String) throws {
        /// A figure, or an empty cell when it is not finite (as postmortem.json writes null): no
        /// `inf` from an overflowed sum (amounts of 1e308) reaches a figure file.
        func figure(_ w: CSVWriter, _ v: Double, decimals: Int = 4) {
            if v.isFinite { w.field(v, decimals: decimals) } else { w.emptyField() }
        }
        func rateFields(_ w: CSVWriter, _ x: Rate) {
            let ci = x.interval
            w.field(x.successes); w.field(x.trials)
            for v in [x.value, ci.lower, ci.upper] { figure(w, v) }
        }
        func rateHeader(_ name: String) -> [String] { ["\(name)_hits", "\(name)_n", name, "\(name)_lower", "\(name)_upper"] }

        if let d = r.symptom?.daily {
            let w = try CSVWriter(path: folder + "/daily.csv", header: ["day", "rows", "alerts"] + rateHeader("recall") + rateHeader("precision") + ["missed_amount"])
            for k in 0..<d.days {
                let day = d.firstDay + k
                w.field(day); w.field(d.rows[k]); w.field(d.alerts[k])
                rateFields(w, d.recall(from: day, to: day)); rateFields(w, d.precision(from: day, to: day))
                figure(w, d.missedAmount[k], decimals: 2)
                try w.endRow()
            }
            try w.finish()
            let wk = try CSVWriter(path: folder + "/weekly.csv", header: ["from_day", "to_day", "rows"] + rateHeader("recall") + rateHeader("precision")
                                   + rateHeader("alert_rate") + ["missed_amount"])
            for x in r.weeks {
                wk.field(x.from); wk.field(x.to); wk.field(x.rows)
                rateFields(wk, x.recall); rateFields(wk, x.precision); rateFields(wk, x.alertRate)
                figure(wk, x.missedAmount, decimals: 2)
                try wk.endRow()
            }
            try wk.finish()
        }
        let st = try CSVWriter(path: folder + "/steps.csv", header: ["day", "window_start", "diagnosis", "subkind", "features", "measured_recall",
                                                                      "cbpe_recall", "bbse_prior", "alert_rate", "alarms"])
        for (k, s) in r.steps.enumerated() {
            st.field(s.day); st.field(s.windowStart); st.field(s.diagnosis.kind.rawValue); st.field(s.diagnosis.subkind ?? "")
            st.field(s.diagnosis.features.joined(separator: ";"))
            let m = s.models.first
            for v in [m?.measuredRecall ?? .nan, r.labelFree[k].cbpeRecall, r.labelFree[k].bbsePrior, m?.alertRate ?? .nan] {
                figure(st, v)
            }
            st.field(s.detectors.filter(\.alarm).map(\.detector).joined(separator: ";"))
            try st.endRow()
        }
        try st.finish()
        let visible = r.symptom?.visibleDay
        let de = try CSVWriter(path: folder + "/detectors.csv", header: ["detector", "first_alarm_day", "days_before_visible", "kind", "features",
                                                                          "alarm_steps", "threshold", "false_alarms_per_30_days", "sweep_mean_recall"])
        for d in r.detectors {
            de.field(d.detector)
            if let f = d.firstAlarm { de.field(f) } else { de.emptyField() }
            if let f = d.firstAlarm, let v = visible { de.field(v - f) } else { de.emptyField() }
            de.field(d.kind.rawValue); de.field(d.features.joined(separator: ";")); de.field(d.alarmSteps); de.field(d.threshold, decimals: 4)
            if let v = d.falseAlarmsPer30Days { de.field(v, decimals: 4) } else { de.emptyField() }
            if let v = d.sweepRecall { de.field(v, decimals: 4) } else { de.emptyField() }
            try de.endRow()
        }
        try de.finish()
        let rp = try CSVWriter(path: folder + "/repairs.csv", header: ["rank", "repair", "kind", "subkind", "feature"] + rateHeader("recall") + ["recovered"])
        for (k, x) in r.rootCause.repairs.enumerated() {
            rp.field(k + 1); rp.field(x.description); rp.field(x.kind.rawValue); rp.field(x.subkind ?? ""); rp.field(x.feature ?? "")
            rateFields(rp, x.recall); rp.field(x.recovered, decimals: 4)
            try rp.endRow()
        }
        try rp.finish()
        let fx = try CSVWriter(path: folder + "/fixes.csv", header: ["horizon", "title"] + rateHeader("recall") + rateHeader("precision")
                               + rateHeader("alert_rate") + ["recovered_share", "recovered_share_lower", "recovered_share_upper", "eval_from", "eval_to"])
        if let f = r.fixes {
            func row(_ h: String, _ t: String, _ rec: Rate, _ prec: Rate, _ ar: Rate, _ share: (Double, Double, Double)) throws {
                fx.field(h); fx.field(t); rateFields(fx, rec); rateFields(fx, prec); rateFields(fx, ar)
                for v in [share.0, share.1, share.2] { figure(fx, v) }
                fx.field(f.evalDays.lowerBound); fx.field(f.evalDays.upperBound)
                try fx.endRow()
            }
            try row("as_run", "the model as it ran", f.asRun.recall, f.asRun.precision, f.asRun.alertRate, (0, .nan, .nan))
            for x in f.fixes {
                try row(x.horizon, x.title, x.recall, x.precision, x.alertRate, (x.recoveredShare, x.recoveredInterval.lower, x.recoveredInterval.upper))
            }
        }
        try fx.finish()
        let ps = try CSVWriter(path: folder + "/feature_psi.csv", header: ["day"] + r.trace.features.flatMap { ["psi_\($0)", "missing_\($0)"] })
        for (k, day) in r.trace.days.enumerated() {
            ps.field(day)
            for j in 0..<r.trace.features.count {
                for v in [r.trace.psi[k][j], r.trace.missing[k][j]] { figure(ps, v, decimals: 5) }
            }
            try ps.endRow()
        }
        try ps.finish()
        let rf = try CSVWriter(path: folder + "/root_feature.csv", header: ["feature", "bin", "reference_share", "before_share", "after_share"])
        if let d = r.rootFeatureDistribution {
            for k in 0..<d.bins.count {
                rf.field(d.feature); rf.field(d.bins[k]); rf.field(d.reference[k], decimals: 5); rf.field(d.before[k], decimals: 5); rf.field(d.after[k], decimals: 5)
                try rf.endRow()
            }
        }
        try rf.finish()
        let sl = try CSVWriter(path: folder + "/slices.csv", header: ["feature", "level"] + rateHeader("recall_before") + rateHeader("recall_after"))
        for s in r.slices {
            sl.field(s.feature); sl.field(s.level); rateFields(sl, s.before); rateFields(sl, s.after)
            try sl.endRow()
        }
        try sl.finish()
    }
}
