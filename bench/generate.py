#!/usr/bin/env python3
"""Generates a deterministic, realistic test site of N support windows (plus member groups and
case studies) in Tsunagari's content format, and the same content as a Hugo site.

    python3 bench/generate.py N OUT        # writes OUT/tsunagari/ and OUT/hugo/

Seeded: the same N gives the same bytes. Generated sites are never committed.
"""
import os
import random
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CATEGORIES = [("kodoku", "孤独・孤立"), ("kokoro", "こころの悩み・健康"), ("jisatsu", "死にたい気持ち"),
              ("kurashi", "生活・お金"), ("shigoto", "仕事"), ("kosodate", "子育て"), ("kazoku", "家族・家庭"),
              ("gakko", "学校・いじめ"), ("dv", "DV・性暴力"), ("gyakutai", "虐待"), ("jinken", "人権・差別"),
              ("hikikomori", "ひきこもり"), ("young-carer", "ヤングケアラー"), ("kaigo", "介護"),
              ("saigai", "災害・被災"), ("gaikokujin", "外国にルーツのある方"), ("chiiki", "地域・つながりづくり")]
STAGES = [("kodomo", "子ども・18歳以下"), ("wakamono", "若者"), ("josei", "女性"), ("oya", "子育て中の方"),
          ("koreisha", "高齢者"), ("gaikokujin", "外国にルーツのある方"), ("shiensha", "支援者・団体"), ("dare-demo", "どなたでも")]
PREFS = ["北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県",
         "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
         "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
         "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"]
TOWNS = ["みどり", "さくら", "あおば", "ひかり", "みなと", "かわべ", "やまて", "はなぞの", "ひがし", "にし", "みなみ", "きた"]
SUFFIX = ["市", "町", "村", "区"]
NOUNS = ["こころの相談", "くらし相談窓口", "子育てひろば", "ひとり親相談", "若者サポートステーション", "居場所カフェ",
         "ひきこもり地域支援センター", "女性相談", "高齢者あんしん相談", "外国人相談コーナー", "生活困窮者自立相談",
         "いのちの電話", "ヤングケアラー相談", "ボランティアセンター", "こども食堂ネットワーク"]
PHRASES = ["ひとりで悩まずにご相談ください。", "専門の相談員がお話をうかがいます。", "匿名でも相談できます。",
           "秘密は守られます。", "必要に応じて関係機関をご紹介します。", "ご家族や周りの方からの相談も受け付けています。",
           "電話のほか、面談でも相談できます。", "費用はかかりません。", "お気軽にお問い合わせください。",
           "地域のつながりづくりを応援しています。", "子どもから大人まで、どなたでも利用できます。",
           "生活の困りごとを一緒に整理します。", "仕事や住まいのことも相談できます。"]
DAYS = ["月", "火", "水", "木", "金", "土", "日"]


def municipalities(rng):
    """20 synthetic municipalities per prefecture, with 6-digit codes under the prefecture code."""
    result = []
    for p in range(1, 48):
        for k in range(20):
            code = "%02d%03d%d" % (p, 100 + k * 7, k % 10)
            label = "%s%s%s" % (TOWNS[k % len(TOWNS)], "" if k < 12 else str(k), SUFFIX[k % 4])
            result.append((code, PREFS[p - 1] + label, "%02d" % p))
    return result


def body(rng, paragraphs):
    return "\n\n".join("".join(rng.choice(PHRASES) for _ in range(rng.randint(3, 6))) for _ in range(paragraphs))


def window(rng, i, munis):
    r = rng.random()
    # A national directory: few national lines (0.5 %), a third prefectural, the rest municipal.
    if r < 0.005:
        region, region_label = "national", "全国"
    elif r < 0.35:
        p = rng.randint(1, 47)
        region, region_label = "%02d" % p, PREFS[p - 1]
    else:
        m = rng.choice(munis)
        region, region_label = m[0], m[1]
    cats = rng.sample(CATEGORIES, rng.randint(1, 3))
    stages = rng.sample(STAGES, rng.randint(1, 2))
    name = "%s%s" % (region_label if region != "national" else "全国", rng.choice(NOUNS))
    crisis = rng.random() < 0.03
    always = rng.random() < 0.1
    phone = "0%d-%03d-%04d" % (rng.randint(3, 9), rng.randint(100, 999), i % 10000)
    return {"slug": "w%06d" % i, "name": name + ("%d" % i), "reading": "まどぐち%d" % i, "region": region,
            "region_label": region_label, "cats": cats, "stages": stages, "crisis": crisis, "always": always,
            "phone": phone, "summary": rng.choice(PHRASES) + rng.choice(PHRASES),
            "open": rng.choice(["08:30", "09:00", "10:00"]), "close": rng.choice(["17:00", "17:15", "20:00"]),
            "days": DAYS[:5] if rng.random() < 0.8 else DAYS[:6], "body": body(rng, rng.randint(3, 6))}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def tsunagari_site(out, windows, munis):
    shutil.copytree(os.path.join(ROOT, "themes"), os.path.join(out, "themes"))
    shutil.copytree(os.path.join(ROOT, "content", "taxonomies"), os.path.join(out, "content", "taxonomies"))
    write(os.path.join(out, "site.yml"), "title: ベンチマーク\nbase_url: https://bench.example/\n")
    write(os.path.join(out, "content", "taxonomies", "municipalities.yml"),
          "".join('- code: "%s"\n  label: %s\n  reading: しちょうそん\n  prefecture: "%s"\n' % m for m in munis))
    for w in windows:
        hours = "  always: true\n" if w["always"] else (
            "  weekly:\n    - days: [%s]\n      open: \"%s\"\n      close: \"%s\"\n" % (", ".join(w["days"]), w["open"], w["close"]))
        front = ("---\nname: %s\nreading: %s\nsummary: %s\ncategories: [%s]\nlife_stages: [%s]\nregions: [\"%s\"]\n"
                 "crisis: %s\nchannels:\n  - type: 電話\n    number: \"%s\"\nhours:\n%scost: 無料\nsource: https://bench.example/source\n"
                 "verified: 2025-04-01\nsample: true\n---\n") % (
            w["name"], w["reading"], w["summary"], ", ".join(c[0] for c in w["cats"]), ", ".join(s[0] for s in w["stages"]),
            w["region"], "true" if w["crisis"] else "false", w["phone"], hours)
        write(os.path.join(out, "content", "windows", w["slug"] + ".md"), front + w["body"] + "\n")


HUGO_TEMPLATES = {
    "_default/baseof.html": '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>\n'
                            '<body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Params.summary }}</p>'
                            '<p><a href="tel:{{ .Params.phone }}">{{ .Params.phone }}</a></p>'
                            '<ul>{{ range .Params.categories }}<li><a href="/categories/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>'
                            '{{ .Content }}{{ end }}\n',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}\n',
    "_default/terms.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n',
    "index.html": '{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ end }}\n',
}


def hugo_site(out, windows):
    write(os.path.join(out, "hugo.toml"),
          'baseURL = "https://bench.example/"\nlanguageCode = "ja"\ntitle = "ベンチマーク"\ndisableKinds = ["RSS"]\n'
          '[taxonomies]\ncategory = "categories"\nlife_stage = "life_stages"\nregion = "regions"\n')
    for name, text in HUGO_TEMPLATES.items():
        write(os.path.join(out, "layouts", name), text)
    for w in windows:
        front = ("---\ntitle: %s\nsummary: %s\nphone: \"%s\"\ncategories: [%s]\nlife_stages: [%s]\nregions: [\"%s\"]\n---\n") % (
            w["name"], w["summary"], w["phone"], ", ".join(c[1] for c in w["cats"]), ", ".join(s[1] for s in w["stages"]),
            w["region_label"])
        write(os.path.join(out, "content", "windows", w["slug"] + ".md"), front + w["body"] + "\n")


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261123 + n)
    munis = municipalities(rng)
    windows = [window(rng, i, munis) for i in range(n)]
    if os.path.exists(out):
        shutil.rmtree(out)
    tsunagari_site(os.path.join(out, "tsunagari"), windows, munis)
    hugo_site(os.path.join(out, "hugo"), windows)


if __name__ == "__main__":
    main()
