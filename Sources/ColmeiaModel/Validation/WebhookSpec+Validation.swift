extension WebhookSpec {
    /// The placeholders an image template may use.
    public static let templateVariables = ["repository", "tag", "digest", "branch", "sha", "short_sha"]

    /// Checks the name, the target (one service or one stack), the patterns and the template.
    public func validate() throws(ValidationError) {
        try NameRules.validateConfigOrSecretName(name, field: "Name")
        switch (service?.isEmpty == false, stack?.isEmpty == false) {
        case (true, true):
            throw ValidationError(field: "Service", message: "a webhook deploys one service or one stack, not both")
        case (false, false):
            throw ValidationError(field: "Service", message: "a webhook needs a service (--service) or a stack (--stack) to deploy")
        default:
            break
        }
        if imageSource == .redeploy, imageTemplate != nil {
            throw ValidationError(field: "ImageTemplate", message: "a redeploy webhook keeps the service's image: it takes no image template")
        }
        if let imageTemplate { try Self.validate(template: imageTemplate) }
        for (field, patterns) in [("Branches", branches), ("Tags", tags)] {
            for pattern in patterns where pattern.isEmpty || pattern.utf8.count > 200 || pattern.contains(where: \.isWhitespace) {
                throw ValidationError(field: field, message: "invalid \(field.lowercased()) pattern \"\(pattern)\": "
                                      + "1 to 200 characters, no spaces, `*` as a wildcard")
            }
        }
    }

    private static func validate(template: String) throws(ValidationError) {
        guard !template.isEmpty, template.utf8.count <= 500 else {
            throw ValidationError(field: "ImageTemplate", message: "an image template has 1 to 500 characters")
        }
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ValidationError(field: "ImageTemplate", message: "image template \"\(template)\" has an unclosed {")
            }
            let variable = String(rest[rest.index(after: open)..<close])
            guard templateVariables.contains(variable) else {
                throw ValidationError(field: "ImageTemplate", message: "image template \"\(template)\" uses {\(variable)}; "
                                      + "known: " + templateVariables.map { "{\($0)}" }.joined(separator: ", "))
            }
            rest = rest[rest.index(after: close)...]
        }
    }
}

extension NotificationSubscription.Spec {
    /// Checks the name, that the URL is `http://` or `https://` with a host, and the events.
    public func validate() throws(ValidationError) {
        try NameRules.validateConfigOrSecretName(name, field: "Name")
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.utf8.count <= 2_048,
              let host = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first, !host.isEmpty,
              !url.contains(where: { $0.isWhitespace }) else {
            throw ValidationError(field: "URL", message: "invalid notification URL \"\(url)\": an http:// or https:// URL with a host")
        }
        for event in events where !NotificationSubscription.eventTypes.contains(event) {
            throw ValidationError(field: "Events", message: "unknown notification event \"\(event)\"; known: "
                                  + NotificationSubscription.eventTypes.joined(separator: ", "))
        }
    }
}
