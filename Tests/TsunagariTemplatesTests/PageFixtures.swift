import TsunagariTemplates

/// Realistic theme templates and view models for the oracle and speed tests.
///
/// Partials that contain a list section are included either inline or standalone at column 0:
/// swift-mustache does not indent the second and later iterations of a list inside an indented
/// partial (see `OracleTests.testKnownDifferences`), and these fixtures must render identically
/// in both engines.
enum PageFixtures {
    static let templates: [String: String] = [
        "layout": """
            <!DOCTYPE html>
            <html lang="{{site.language}}">
            <head>
              <meta charset="utf-8">
              <title>{{#page.title}}{{page.title}} · {{/page.title}}{{site.title}}</title>
              {{#page.description}}
              <meta name="description" content="{{page.description}}">
              {{/page.description}}
              {{> partials/head-extra}}
            </head>
            <body class="{{page.kind}}{{#page.draft}} draft{{/page.draft}}">
            {{> partials/header}}
            <main>
            {{{content}}}
            </main>
            {{> partials/footer}}
            </body>
            </html>

            """,
        "partials/head-extra": """
            <link rel="stylesheet" href="{{site.baseURL}}/style.css">
            {{#page.canonical}}
            <link rel="canonical" href="{{page.canonical}}">
            {{/page.canonical}}
            {{! keywords come from the page's tags }}
            <meta name="keywords" content="{{#page.tags}}{{.}},{{/page.tags}}">

            """,
        "partials/header": """
            <header>
              <a class="brand" href="{{site.baseURL}}/">{{site.title}}</a>
              <nav>
                <ul>
                  {{#site.menu}}
                  <li{{#active}} class="active"{{/active}}><a href="{{url}}">{{name}}</a></li>
                  {{/site.menu}}
                </ul>
              </nav>
            </header>

            """,
        "partials/footer": """
            <footer>
              <p>&copy; {{site.year}} {{site.author}}{{^site.author}}Anonymous{{/site.author}}</p>
              {{#site.social}}
              <a rel="me" href="{{url}}" title="{{label}}">{{label}}</a>
              {{/site.social}}
              {{^site.social}}
              <!-- no social links -->
              {{/site.social}}
            </footer>

            """,
        "list": """
            <h1>{{title}}</h1>
            {{#intro}}
            <p class="intro">{{intro}}</p>
            {{/intro}}
            {{#posts}}
            <article class="post{{#draft}} draft{{/draft}}" id="post-{{id}}">
              <h2><a href="{{url}}">{{title}}</a></h2>
              <time datetime="{{date}}">{{date}}</time>
              <ul class="tags">
            {{#tags}}
            {{> partials/tag}}
            {{/tags}}
              </ul>
              {{^tags}}
              <span class="no-tags">untagged</span>
              {{/tags}}
              <p>{{summary}}</p>
              <p>Reading time: {{minutes}} min · score {{score}}</p>
              {{#author}}
              <span class="author">{{name}} &lt;{{email}}&gt;</span>
              {{/author}}
              {{^author}}
              <span class="author">{{site.author}}</span>
              {{/author}}
            </article>
            {{/posts}}
            {{^posts}}
            <p>Nothing here yet.</p>
            {{/posts}}
            {{> partials/pagination}}

            """,
        "partials/tag": """
                <li><a class="tag" href="/tags/{{.}}/">#{{.}}</a></li>

            """,
        "partials/pagination": """
            {{#pagination}}
            <nav class="pagination">
              {{#prev}}<a rel="prev" href="{{.}}">← Newer</a>{{/prev}}
              <span>Page {{page}} of {{pages}}</span>
              {{#next}}<a rel="next" href="{{.}}">Older →</a>{{/next}}
            </nav>
            {{/pagination}}

            """,
        "post": """
            <article>
              <h1>{{page.title}}</h1>
              {{#page.subtitle}}
              <p class="subtitle">{{.}}</p>
              {{/page.subtitle}}
              {{^page.subtitle}}
              <!-- no subtitle -->
              {{/page.subtitle}}
              <div class="body">
            {{{page.html}}}
              </div>
              <p>Escaped: {{page.raw}} | Raw: {{& page.raw}} | {{{page.raw}}}</p>
              {{#page.related}}
              <h2>Related</h2>
              <ol>
                {{#.}}
                <li><a href="{{url}}">{{title}}</a>{{#weight}} ({{weight}}){{/weight}}</li>
                {{/.}}
              </ol>
              {{/page.related}}
            {{> partials/toc}}
            </article>

            """,
        // A recursive partial: a tree of headings. Leaves set `children` to [] so that the lookup
        // does not climb to the parent's children.
        "partials/toc": """
            {{#toc}}
            <ul class="toc">
            {{#children}}
            <li><a href="#{{anchor}}">{{text}}</a>
            {{> partials/toc-children}}
            </li>
            {{/children}}
            </ul>
            {{/toc}}

            """,
        "partials/toc-children": """
            {{#hasChildren}}
            <ul>
            {{#children}}
            <li><a href="#{{anchor}}">{{text}}</a>
            {{> partials/toc-children}}
            </li>
            {{/children}}
            </ul>
            {{/hasChildren}}

            """,
    ]

    static let site: TemplateValue = [
        "title": "Tsunagari <Demo> & \"Friends\"",
        "baseURL": "https://example.org",
        "language": "ja",
        "year": 2025,
        "author": "山田 太郎",
        "menu": [
            ["name": "Home", "url": "/", "active": true],
            ["name": "ブログ", "url": "/blog/", "active": false],
            ["name": "About & Contact", "url": "/about/?a=1&b=2"],
        ],
        "social": [
            ["label": "Mastodon 🐘", "url": "https://social.example/@me"],
            ["label": "GitHub", "url": "https://github.com/example"],
        ],
    ]

    static func post(_ i: Int) -> TemplateValue {
        var tags: [TemplateValue] = []
        for t in 0..<(i % 4) { tags.append(.string(["swift", "日本語", "c++ & more", "<tag>"][t])) }
        var post: [String: TemplateValue] = [
            "id": .int(i),
            "title": .string(i % 7 == 0 ? "Post \(i): <script>alert('x')</script>" : "投稿 \(i) — “quotes” & 'apostrophes' 🎉"),
            "url": .string("/blog/\(i)/?ref=list&n=\(i)"),
            "date": .string("2025-01-\(String(format2: i % 28 + 1))"),
            "summary": .string(i % 3 == 0 ? "" : "Summary of post \(i) with \"double\" and 'single' quotes, a > b < c, and émoji 👍🏽."),
            "minutes": .int(i % 11 + 1),
            "score": .double(Double(i % 10) / 4),
            "draft": .bool(i % 5 == 0),
            "tags": .list(tags),
        ]
        if i % 2 == 0 {
            post["author"] = ["name": .string("Author \(i % 3)"), "email": "a\(i)@example.org"]
        } else {
            post["author"] = .null
        }
        return .map(TemplateMap(post))
    }

    static func listPage(posts count: Int) -> TemplateValue {
        [
            "site": site,
            "title": "ブログ <all posts>",
            "intro": count.isMultiple(of: 2) ? "Everything I wrote & more." : "",
            "posts": .list((0..<count).map(post)),
            "pagination": [
                "page": 2, "pages": 9,
                "prev": "/blog/page/1/",
                "next": count > 0 ? "/blog/page/3/" : nil,
            ],
        ]
    }

    static func tocNode(_ text: String, _ children: [TemplateValue]) -> TemplateValue {
        ["text": .string(text), "anchor": .string(text.lowercased()), "children": .list(children),
         "hasChildren": .bool(!children.isEmpty)]
    }

    static let postPage: TemplateValue = [
        "site": site,
        "page": [
            "title": "Hello, 世界 & <friends>",
            "subtitle": "",
            "kind": "post",
            "draft": true,
            "tags": ["a&b", "日本"],
            "canonical": "https://example.org/hello/",
            "html": "<p>Some <em>HTML</em> & text</p>\n<pre>code\n  indented</pre>",
            "raw": "<b>\"bold\" & 'it'</b>",
            "related": [
                ["title": "One <1>", "url": "/1/", "weight": 1.5],
                ["title": "Two 'two'", "url": "/2/", "weight": 0],
                ["title": "三", "url": "/3/"],
            ],
            "toc": [
                "children": [
                    tocNode("Intro", []),
                    tocNode("Usage", [tocNode("Install", []), tocNode("Run", [tocNode("Flags", [])])]),
                ],
            ],
        ],
    ]
}

extension String {
    /// Two-digit zero-padded decimal.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
