import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import DriftCharts

/// A parsed XML element: name, attributes, children and its own character data.
final class Node {
    let name: String
    let attributes: [String: String]
    var children: [Node] = []
    var text = ""
    weak var parent: Node?
    init(name: String, attributes: [String: String]) { self.name = name; self.attributes = attributes }

    func all(_ name: String) -> [Node] {
        var out: [Node] = []
        func walk(_ n: Node) {
            if n.name == name { out.append(n) }
            n.children.forEach(walk)
        }
        walk(self)
        return out
    }
    /// Character data of the element without its <title> tooltip.
    var label: String { text }
    var title: String? { children.first { $0.name == "title" }?.text }
    func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
}

/// Parses XML with Foundation's XMLParser; throws when the document is not well-formed.
struct XMLDocument {
    struct NotWellFormed: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
    let root: Node

    init(_ text: String) throws {
        final class Delegate: NSObject, XMLParserDelegate {
            var stack: [Node] = []
            var root: Node?
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                let n = Node(name: elementName, attributes: attributeDict)
                n.parent = stack.last
                stack.last?.children.append(n)
                if root == nil { root = n }
                stack.append(n)
            }
            func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                stack.removeLast()
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                stack.last?.text += string
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            throw NotWellFormed(message: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "no root") at line \(parser.lineNumber)")
        }
        self.root = root
    }

    func all(_ name: String) -> [Node] { root.all(name) }
    func elements(withClass c: String) -> [Node] {
        var out: [Node] = []
        func walk(_ n: Node) {
            if (n.attributes["class"] ?? "").split(separator: " ").contains(Substring(c)) { out.append(n) }
            n.children.forEach(walk)
        }
        walk(root)
        return out
    }
    /// Every visible label's text.
    var texts: [String] { all("text").map(\.label) }
}

/// The axis-aligned box a <text> occupies, from x/y (baseline), font-size, text-anchor, an optional
/// rotate(a cx cy) of its own and translate(x y) of enclosing groups; width = chars x size x 0.6.
struct TextBox: CustomStringConvertible {
    var text: String
    var minX: Double, minY: Double, maxX: Double, maxY: Double
    var description: String { "'\(text)' [\(Int(minX)),\(Int(minY))–\(Int(maxX)),\(Int(maxY))]" }

    func overlaps(_ o: TextBox, tolerance: Double = 0.5) -> Bool {
        minX + tolerance < o.maxX && o.minX + tolerance < maxX && minY + tolerance < o.maxY && o.minY + tolerance < maxY
    }

    static func numbers(in s: String) -> [Double] {
        s.split(whereSeparator: { !"0123456789.-e".contains($0) }).compactMap { Double($0) }
    }

    init?(_ n: Node) {
        let size = n.number("font-size")
        let x = n.number("x"), y = n.number("y")
        guard size.isFinite, x.isFinite, y.isFinite else { return nil }
        text = n.label
        let w = Double(text.count) * size * 0.6
        let anchor = n.attributes["text-anchor"] ?? "start"
        let x0 = anchor == "middle" ? x - w / 2 : anchor == "end" ? x - w : x
        var corners = [(x0, y - size * 0.8), (x0 + w, y - size * 0.8), (x0, y + size * 0.2), (x0 + w, y + size * 0.2)]
        if let t = n.attributes["transform"], t.hasPrefix("rotate(") {
            let p = TextBox.numbers(in: t)
            let a = p[0] * .pi / 180, cx = p.count > 2 ? p[1] : 0, cy = p.count > 2 ? p[2] : 0
            corners = corners.map { (px, py) in
                let dx = px - cx, dy = py - cy
                return (cx + dx * cos(a) - dy * sin(a), cy + dx * sin(a) + dy * cos(a))
            }
        }
        var dx = 0.0, dy = 0.0
        var p = n.parent
        while let g = p {
            if let t = g.attributes["transform"], t.hasPrefix("translate(") {
                let v = TextBox.numbers(in: t)
                dx += v.first ?? 0; dy += v.count > 1 ? v[1] : 0
            }
            p = g.parent
        }
        minX = corners.map(\.0).min()! + dx; maxX = corners.map(\.0).max()! + dx
        minY = corners.map(\.1).min()! + dy; maxY = corners.map(\.1).max()! + dy
    }
}

/// Pairs of visible labels whose boxes overlap, and labels leaving the canvas.
func layoutProblems(_ doc: XMLDocument) -> [String] {
    let boxes = doc.all("text").compactMap(TextBox.init).filter { !$0.text.isEmpty }
    var problems: [String] = []
    for i in 0..<boxes.count {
        for j in (i + 1)..<boxes.count where boxes[i].overlaps(boxes[j]) {
            problems.append("overlap: \(boxes[i]) and \(boxes[j])")
        }
    }
    let width = doc.root.number("width"), height = doc.root.number("height")
    if width.isFinite && height.isFinite {
        for b in boxes where b.minX < -0.5 || b.minY < -0.5 || b.maxX > width + 0.5 || b.maxY > height + 0.5 {
            problems.append("outside the \(Int(width))x\(Int(height)) canvas: \(b)")
        }
    }
    return problems
}
