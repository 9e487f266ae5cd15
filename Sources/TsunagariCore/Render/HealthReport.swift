import TsunagariTemplates
/// The editors' content-health report: coverage of categories × regions, windows per
/// prefecture as a bar chart (SVG made at build time, no script), stale and unsourced windows.
/// A class for the reason `OpenData` is one.
final class HealthReport {
    let site: LinkedSite
    let models: ViewModels

    init(site: LinkedSite, models: ViewModels) {
        self.site = site
        self.models = models
    }

    /// Columns of the coverage table: 全国, then each 地方.
    var areas: [String] {
        var list: [String] = []
        for p in Prefectures.all where !list.contains(p.area) { list.append(p.area) }
        return list
    }

    /// The 地方 a region code belongs to, or 全国.
    func area(of code: String) -> String {
        site.regions.byCode[code]?.area ?? "全国"
    }

    /// The report's page; its view model is made only when the page renders.
    func plan(path: String) -> PagePlan {
        var plan = PagePlan(path: path, template: "health", title: "コンテンツの状態（編集者向け）", description: nil, context: self.context())
        plan.inSitemap = false
        plan.noindex = true
        return plan
    }

    func context() -> TemplateValue {
        let columns = ["全国"] + areas
        // Each window's columns found once (not again for each of its categories: a set of
        // area names per window and category was 1 % of a build's instructions).
        let column = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let windowColumns: [[Int]] = site.windowRegions.map { codes in
            var found: [Int] = []
            for code in codes {
                if let c = column[area(of: code)], !found.contains(c) { found.append(c) }
            }
            return found
        }
        var rows: [TemplateValue] = []
        for term in site.categories {
            var counts = [Int](repeating: 0, count: columns.count)
            for i in site.windowsByCategory[term.slug] ?? [] {
                for c in windowColumns[i] { counts[c] += 1 }
            }
            rows.append(.map(["label": .string(term.label),
                              "cells": .list(counts.map { .map(["count": .int($0), "empty": .bool($0 == 0)]) })]))
        }
        // Windows per prefecture in one pass over the windows (asking each prefecture of every
        // window was 47 lookups a window).
        var windowsIn: [String: Int] = [:]
        for codes in site.windowRegions {
            var counted: [String] = []
            for code in codes {
                guard let prefecture = site.regions.byCode[code]?.prefecture, !counted.contains(prefecture) else { continue }
                counted.append(prefecture)
                windowsIn[prefecture, default: 0] += 1
            }
        }
        var perPrefecture: [(String, Int)] = Prefectures.all.map { p in (p.label, windowsIn[p.code] ?? 0) }
        perPrefecture.sort { ($0.1, $1.0) > ($1.1, $0.0) }
        let stale = site.windows.indices.filter { i in
            guard let v = site.windows[i].verified?.value else { return false }
            return v.months(until: site.today) > site.config.staleAfterMonths
        }
        let unverified = site.windows.indices.filter { site.windows[$0].verified == nil }
        let unsourced = site.windows.indices.filter { site.windows[$0].source == nil }
        func entries(_ list: [Int]) -> TemplateValue {
            models.list(list.map { i in
                let w = site.windows[i]
                return .map(["name": .string(w.name), "url": .string(models.urls.path(SiteURLs.window(w.origin.slug))),
                             "path": .string(w.origin.path), "verified": models.text(w.verified?.value.description)])
            })
        }
        return .map([
            "columns": .list(columns.map { .string($0) }),
            "rows": .list(rows),
            "chart": .string(barChart(perPrefecture)),
            "window_count": .int(site.windows.count),
            "stale": entries(stale), "stale_count": .int(stale.count),
            "unverified": entries(unverified), "unverified_count": .int(unverified.count),
            "unsourced": entries(unsourced), "unsourced_count": .int(unsourced.count),
            "stale_months": .int(site.config.staleAfterMonths),
            "today": .string(site.today.description),
        ])
    }

    /// A ranked horizontal bar chart of windows per prefecture (prefecture-level and local windows).
    func barChart(_ data: [(String, Int)]) -> String {
        let rowHeight = 18, labelWidth = 80, barWidth = 400
        let maxValue = max(1, data.map(\.1).max() ?? 1)
        let height = data.count * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 \(labelWidth + barWidth + 60) \(height)\" class=\"chart\">"
        svg += "<title id=\"chart-title\">都道府県ごとの地域の窓口の数（全国窓口を除く）</title>"
        for (i, (label, value)) in data.enumerated() {
            let y = i * rowHeight + 5
            let width = value * barWidth / maxValue
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\" font-size=\"12\" fill=\"#1b1b1b\">\(XMLEscape.escape(label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(width)\" height=\"\(rowHeight - 4)\" fill=\"#0a4f7a\"></rect>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 13)\" font-size=\"12\" fill=\"#1b1b1b\">\(value)</text>"
        }
        return svg + "</svg>"
    }
}
