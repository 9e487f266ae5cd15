import Foundation

/// `tsunagari new KIND SLUG`: a new entry with every field, each with a short comment,
/// ready to fill in. Required fields are left empty so that `check` names them until filled.
public enum Scaffold {
    public enum Kind: String, CaseIterable, Sendable {
        case window, member, `case`, symposium, page
        var folder: String {
            switch self {
            case .window: return "content/windows"
            case .member: return "content/members"
            case .case: return "content/cases"
            case .symposium: return "content/symposia"
            case .page: return "content/pages"
            }
        }
    }

    public struct ScaffoldError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes the new file and returns its path relative to the site folder.
    @discardableResult
    public static func create(_ kind: Kind, slug: String, in site: URL) throws -> String {
        guard Slug.isValid(slug) else {
            throw ScaffoldError(description: "'\(slug)' is not a valid slug: use lower-case ASCII letters, digits and '-' (\(Slug.suggestionHint(slug)))")
        }
        let relative = "\(kind.folder)/\(slug).md"
        let url = site.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) {
            throw ScaffoldError(description: "\(relative) already exists; not overwriting it")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // O_EXCL: never overwrite, even if the file appears between the check and the write.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw ScaffoldError(description: "cannot create \(relative): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(template(kind).utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw ScaffoldError(description: "cannot write \(relative)") }
        return relative
    }

    public static func template(_ kind: Kind) -> String {
        switch kind {
        case .window: return """
            ---
            # 必須 required ----------------------------------------------------------
            name:            # 窓口の名前 / name of the window
            reading:         # よみがな（ひらがな） / reading in hiragana
            summary:         # 一行の説明 / one-line summary
            categories: []   # 悩み（content/taxonomies/categories.yml の slug） / worry terms
            life_stages: []  # 対象（content/taxonomies/life-stages.yml の slug） / life stages
            regions: []      # national・都道府県コード "13"・市区町村コード "131083" / regions served
            channels:        # 相談の方法（1つ以上） / contact channels, at least one
              - type: 電話    # 電話 | SNS | チャット | メール | 対面 | Web
                number:      # 電話番号は引用符で "0120-000-000" / phone number, quoted
                # label:     # 例：フリーダイヤル / e.g. toll-free
                # url:       # チャット・SNS・メール・Web の URL
                # handle:    # SNS のアカウント名 / SNS handle
                # hours: { always: true }   # この方法の受付時間 / hours of this channel
                # note:      # 補足 / note
            # 任意 optional ----------------------------------------------------------
            # operator:      # 運営者の名前 / operator's name
            # member:        # 運営する会員団体の slug / the operator's member group
            # crisis: false  # 命に関わる相談なら true（一覧の先頭に） / crisis line, listed first
            # hours:         # 受付時間 / opening hours
            #   always: false            # 24時間365日なら true
            #   weekly:
            #     - days: [月, 火, 水, 木, 金]
            #       open: "09:00"
            #       close: "17:00"
            #   holidays: 祝日・年末年始を除く
            #   note:
            # period: { from: 2025-01-01, until: 2025-03-31 }   # 期間限定の窓口 / period-limited line
            # cost: 無料      # 無料 | 有料
            # languages: [ja]
            # anonymous: true  # 匿名で相談できる / anonymous OK
            # eligibility:   # 利用できる方 / who may use it
            # source:        # 情報の出典 URL / where the facts come from
            # verified:      # 情報を確認した日 YYYY-MM-DD / date the facts were checked
            # sample: false  # 説明用のサンプルなら true / demonstration entry
            ---
            本文（任意）。/ Body (optional).

            """
        case .member: return """
            ---
            # 必須 required
            name:            # 団体名 / name
            reading:         # よみがな / reading
            summary:         # 一行の説明 / one-line summary
            source:          # 出典 / source document
            # 任意 optional
            # membership: 会員   # 会員 | 協力会員 | 賛助会員
            # kind: NPO法人      # 法人の種類 / kind of body
            # regions: [national]
            # categories: []
            # roles: []          # 例：分科会1の担当幹事団体
            # url:               # https://…
            # sample: false
            ---

            """
        case .case: return """
            ---
            # 必須 required
            title:           # 事例の題名 / title
            region:          # 自治体のコード "131083" または都道府県 "13" / municipality or prefecture
            points: []       # 5つのポイント（content/taxonomies/points.yml の slug）
            summary:         # 一行の要約 / one-line summary
            source:          # 出典 / source document
            # 任意 optional
            # size: 大都市        # 大都市 | 中都市 | 小都市
            # report: { title: 報告書名, page: 1 }   # 出典の報告とページ
            # column: false      # インタビュー・コラムなら true（region は不要）
            # area: 中国地方      # コラムの地域 / area of a column
            # sample: false
            ---
            本文。/ Body.

            """
        case .symposium: return """
            ---
            # 必須 required
            title:           # 題名 / title
            date:            # 開催日 YYYY-MM-DD
            summary:         # 一行の要約 / one-line summary
            source:          # 出典 / source document
            # 任意 optional
            # format: オンライン
            # registrations: 0   # 参加登録数
            # views: 0           # 視聴数
            # parts:
            #   - title: 第1部
            #     items:
            #       - title: 講演の題名
            #         speakers:
            #           - name: 氏名
            #             title: 役職
            #             organization: 所属
            #             member:     # 会員団体の slug
            #         summary: 要約
            # panel:
            #   title: パネルディスカッション
            #   speakers: []
            #   themes:
            #     - title: テーマ
            #       summary: 要約
            # sample: false
            ---
            本文。/ Body.

            """
        case .page: return """
            ---
            # 必須 required
            title:           # ページの題名 / title
            # 任意 optional
            # summary:       # 一行の説明
            # order: 10      # メニューの順番 / menu order
            # members: []    # 関連する会員団体の slug
            # source:        # 出典
            ---
            本文。/ Body.

            """
        }
    }
}
