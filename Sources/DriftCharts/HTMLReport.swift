import DriftCore

/// One self-contained HTML page (inline CSS, charts inline as SVG, no scripts, nothing fetched):
/// a title, a summary table, and sections of text, charts, tables and links to sibling reports.
/// The output is also well-formed XML, so tests can parse it.
public struct HTMLReport: Sendable {
    /// A link to another report; only relative hrefs are made clickable (no network, no schemes).
    public struct Link: Sendable {
        public var label: String
        public var href: String
        public init(_ label: String, href: String) { self.label = label; self.href = href }
    }

    /// A table cell: text, or a number shown with a fixed count of decimals (right-aligned).
    public enum Cell: Sendable, ExpressibleByStringLiteral {
        case text(String)
        case number(Double, decimals: Int)
        case integer(Int)
        case link(Link)
        /// Several links in one cell, separated by spaces (e.g. the seeds of one sweep cell).
        case links([Link])
        public init(stringLiteral value: String) { self = .text(value) }
    }

    /// A table with a header row; short rows are padded with empty cells.
    public struct Table: Sendable {
        public var columns: [String]
        public var rows: [[Cell]]
        public var caption: String?
        public init(columns: [String], rows: [[Cell]], caption: String? = nil) { self.columns = columns; self.rows = rows; self.caption = caption }
    }

    public enum Block: Sendable {
        /// Text with a small Markdown subset: **bold**, `code`, [label](relative-href).
        case paragraph(String)
        case chart(any Chart)
        case table(Table)
        case links([Link])
    }

    public struct Section: Sendable {
        public var title: String
        public var blocks: [Block]
        public init(_ title: String, _ blocks: [Block]) { self.title = title; self.blocks = blocks }
    }

    public var title: String
    /// A line under the title (Markdown subset).
    public var subtitle: String?
    /// Links shown at the top (e.g. "up to the sweep", the other runs).
    public var navigation: [Link]
    public var summary: Table?
    public var sections: [Section]

    public init(title: String, subtitle: String? = nil, navigation: [Link] = [], summary: Table? = nil, sections: [Section] = []) {
        self.title = title; self.subtitle = subtitle; self.navigation = navigation; self.summary = summary; self.sections = sections
    }

    static let css = """
    body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;color:#222;background:#fff;margin:0 auto;padding:16px 24px;max-width:1240px;line-height:1.45}
    h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
    p.subtitle{color:#555;margin-top:0}nav{margin:.5em 0 1em}nav a,ul.links a{color:#0072B2}
    nav a{margin-right:1.2em}table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
    caption{text-align:left;color:#555;padding-bottom:.3em}
    th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f2f2f2}
    td.num{text-align:right;font-variant-numeric:tabular-nums}
    figure.chart{margin:1em 0;overflow-x:auto}figure.chart svg{max-width:100%;height:auto;display:block}
    code{background:#f4f4f4;padding:0 3px;border-radius:3px}
    footer{margin-top:2em;color:#888;font-size:.8em}
    """

    /// The page as text.
    public func html() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<title>" + Markup.escapeText(title) + "</title>\n<style>\n" + HTMLReport.css + "\n</style>\n</head>\n<body>\n"
        out += "<h1>" + Markup.escapeText(title) + "</h1>\n"
        if let subtitle { out += "<p class=\"subtitle\">" + HTMLReport.inlineMarkdown(subtitle) + "</p>\n" }
        if !navigation.isEmpty {
            out += "<nav>" + navigation.map(HTMLReport.anchor).joined(separator: " ") + "</nav>\n"
        }
        if let summary {
            out += "<section class=\"summary\">\n<h2>Summary</h2>\n" + HTMLReport.render(summary) + "</section>\n"
        }
        var ids: [String] = []
        for section in sections {
            var id = HTMLReport.slug(section.title)
            if ids.contains(id) { id += "-\(ids.count + 1)" }
            ids.append(id)
            out += "<section id=\"" + id + "\">\n<h2>" + Markup.escapeText(section.title) + "</h2>\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let text): out += "<p>" + HTMLReport.inlineMarkdown(text) + "</p>\n"
                case .chart(let chart): out += "<figure class=\"chart\">\n" + chart.svg() + "</figure>\n"
                case .table(let table): out += HTMLReport.render(table)
                case .links(let links):
                    out += "<ul class=\"links\">\n" + links.map { "<li>" + HTMLReport.anchor($0) + "</li>\n" }.joined() + "</ul>\n"
                }
            }
            out += "</section>\n"
        }
        out += "<footer>DriftLab " + Markup.escapeText(DriftLabVersion.current) + "</footer>\n</body>\n</html>\n"
        return out
    }

    /// A section's anchor: lower-case letters and digits, other runs of characters as one '-'
    /// ("Power against severity" -> "power-against-severity"), so `report.html#power-against-severity` links to it.
    public static func slug(_ title: String) -> String {
        var out = ""
        for c in title.lowercased().unicodeScalars {
            if c.isASCII && (("a"..."z").contains(c) || ("0"..."9").contains(c)) { out.unicodeScalars.append(c) } else if !out.hasSuffix("-") && !out.isEmpty { out += "-" }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }

    /// Writes the page atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try AtomicFile.write(html(), to: path)
    }

    static func render(_ table: Table) -> String {
        var out = "<table>\n"
        if let caption = table.caption { out += "<caption>" + Markup.escapeText(caption) + "</caption>\n" }
        out += "<thead><tr>" + table.columns.map { "<th>" + Markup.escapeText($0) + "</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for c in 0..<max(table.columns.count, row.count) {
                out += c < row.count ? cell(row[c]) : "<td></td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    static func cell(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return "<td>" + Markup.escapeText(s) + "</td>"
        case .number(let v, let decimals): return "<td class=\"num\">" + formatNumber(v, decimals: decimals) + "</td>"
        case .integer(let v): return "<td class=\"num\">" + String(v) + "</td>"
        case .link(let link): return "<td>" + anchor(link) + "</td>"
        case .links(let links): return "<td>" + links.map(anchor).joined(separator: " ") + "</td>"
        }
    }

    /// Fixed decimals; NaN shows as an en dash (no value), infinities as signed ∞.
    public static func formatNumber(_ v: Double, decimals: Int) -> String {
        if v.isNaN { return "–" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        return NiceTicks.fixed(v, decimals: max(0, min(decimals, 10)))
    }

    /// A relative href (no scheme such as `http:` or `javascript:`, not protocol-relative `//`).
    public static func isSafeRelative(_ href: String) -> Bool {
        guard !href.isEmpty, !href.hasPrefix("//") else { return false }
        let beforePath = href.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !beforePath.contains(":")
    }

    static func anchor(_ link: Link) -> String {
        guard isSafeRelative(link.href) else { return Markup.escapeText(link.label) }
        return "<a href=\"" + Markup.escapeAttribute(link.href) + "\">" + Markup.escapeText(link.label) + "</a>"
    }

    /// **bold**, `code` and [label](href) on escaped text; anything unmatched stays literal.
    public static func inlineMarkdown(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        func find(_ s: String, from: Int) -> Int? {
            let pattern = Array(s)
            var j = from
            while j + pattern.count <= chars.count {
                if Array(chars[j..<(j + pattern.count)]) == pattern { return j }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "*", let end = find("**", from: i + 2), end > i + 2 {
                out += "<strong>" + Markup.escapeText(String(chars[(i + 2)..<end])) + "</strong>"
                i = end + 2
            } else if chars[i] == "`", let end = find("`", from: i + 1), end > i + 1 {
                out += "<code>" + Markup.escapeText(String(chars[(i + 1)..<end])) + "</code>"
                i = end + 1
            } else if chars[i] == "[", let close = find("](", from: i + 1), let end = find(")", from: close + 2) {
                out += anchor(Link(String(chars[(i + 1)..<close]), href: String(chars[(close + 2)..<end])))
                i = end + 1
            } else {
                out += Markup.escapeText(String(chars[i]))
                i += 1
            }
        }
        return out
    }
}
