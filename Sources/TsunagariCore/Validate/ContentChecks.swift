/// Stage 2: checks on the meaning of fields that types alone do not catch.
/// Warnings do not stop a build; errors do.
public enum ContentChecks {
    public static func check(_ content: LoadedContent, config: SiteConfig, today: SimpleDate) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var phoneOwners: [String: (String, SourceLocation)] = [:]
        for w in content.windows {
            let at = SourceLocation.file(w.origin.path)
            // A value rejected while loading is absent here: not "missing" a second time.
            let complete = !content.pathsWithErrors.contains(w.origin.path)
            // A demonstration entry has no real source or check date to give.
            if w.source == nil && !w.sample && complete {
                diagnostics.append(at.warning("window has no source", hint: "add 'source:' with the URL the facts come from"))
            }
            if let verified = w.verified {
                let age = verified.value.months(until: today)
                if age > config.staleAfterMonths {
                    diagnostics.append(verified.location.warning(
                        "verified \(verified.value) is \(age) months ago, older than \(config.staleAfterMonths)",
                        hint: "check the facts against the source and update 'verified'"))
                }
                if today < verified.value {
                    diagnostics.append(verified.location.error("verified date \(verified.value) is in the future"))
                }
            } else if !w.sample && complete {
                diagnostics.append(at.warning("window has no verified date", hint: "add 'verified: YYYY-MM-DD' once the facts are checked"))
            }
            for channel in w.channels {
                if let number = channel.number {
                    if PhoneNumber.telURI(number.value) == nil {
                        diagnostics.append(number.location.warning("'\(number.value)' is not a valid Japanese phone number",
                                                                    hint: "write it like \"0120-123-456\", \"03-1234-5678\", \"189\" or \"#9999\""))
                    } else {
                        let key = PhoneNumber.digits(number.value)
                        if let (other, first) = phoneOwners[key], other != w.origin.slug {
                            diagnostics.append(number.location.warning("phone number \(number.value) is also given by window '\(other)' (\(first.path):\(first.line))"))
                        } else {
                            phoneOwners[key] = (w.origin.slug, number.location)
                        }
                    }
                    if channel.type != .phone {
                        diagnostics.append(number.location.warning("'number' on a \(channel.type.rawValue) channel", hint: "phone numbers belong to a channel of type 電話"))
                    }
                }
                if channel.type != .phone && channel.type != .visit && channel.url == nil && channel.handle == nil && complete {
                    diagnostics.append(at.warning("a \(channel.type.rawValue) channel without url or handle", hint: "add where residents reach it, or leave the channel out"))
                }
            }
        }
        return diagnostics
    }
}

/// Japanese phone numbers as residents dial them.
public enum PhoneNumber {
    /// The digits (and a leading '#') of a number as written.
    public static func digits(_ text: String) -> String {
        String(decoding: text.utf8.filter { (0x30...0x39).contains($0) || $0 == 0x23 }, as: UTF8.self)
    }

    /// `tel:` URI for a valid number, or nil: 10–11 digits starting with 0, a 3-digit service
    /// number (189, 110 …), or a '#' short number (#9999).
    /// On bytes: called for every phone of every window by the pages, the index and the checks.
    public static func telURI(_ text: String) -> String? {
        var d: [UInt8] = []
        d.reserveCapacity(16)
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x23: d.append(b)            // digits and '#'
            case 0x2D, 0x28, 0x29, 0x20: continue           // - ( ) space
            default: return nil
            }
        }
        if d.first == 0x23 {
            let rest = d.dropFirst()
            return (rest.count == 4 && !rest.contains(0x23)) ? "tel:%23" + String(decoding: rest, as: UTF8.self) : nil
        }
        if d.contains(0x23) { return nil }
        if d.count == 3, d.first == 0x31 { return "tel:" + String(decoding: d, as: UTF8.self) }
        if d.first == 0x30, (10...11).contains(d.count) { return "tel:" + String(decoding: d, as: UTF8.self) }
        return nil
    }
}
