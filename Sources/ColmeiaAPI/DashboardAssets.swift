/// The dashboard's files, embedded in the binary: one page, its style sheet and three
/// JavaScript modules, hand-written, with no build step and nothing from another origin.
/// The texts live in `DashboardAssets+Page.swift` and `DashboardAssets+Scripts.swift`.
enum DashboardAssets {
    struct Asset: Sendable {
        var name: String
        var contentType: String
        var body: String
        /// A strong ETag from the bytes (FNV-1a, 64 bits): the same binary always sends the same one.
        var etag: String

        init(name: String, contentType: String, body: String) {
            self.name = name
            self.contentType = contentType
            self.body = body
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in body.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            let hex = String(hash, radix: 16)
            etag = "\"" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + "\""
        }
    }

    static let index = Asset(name: "index.html", contentType: "text/html; charset=utf-8", body: pageHTML)

    /// The files under `/ui/`, by name.
    static let files: [String: Asset] = {
        let all = [
            index,
            Asset(name: "style.css", contentType: "text/css; charset=utf-8", body: styleCSS),
            Asset(name: "api.js", contentType: "text/javascript; charset=utf-8", body: apiJS),
            Asset(name: "views.js", contentType: "text/javascript; charset=utf-8", body: viewsJS),
            Asset(name: "app.js", contentType: "text/javascript; charset=utf-8", body: appJS),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    static func named(_ name: String) -> Asset? { files[name] }
}
