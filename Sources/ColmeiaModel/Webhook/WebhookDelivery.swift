import Foundation

/// What one inbound delivery announces, read from its provider's payload: a git tag or
/// branch with its commit, or an image (tag, digest, or whole reference).
public struct WebhookDelivery: Sendable, Hashable {
    /// `push`, `tag_push`, `registry_package`, `package`, `ping`, …
    public var event: String
    public var tag: String?
    public var branch: String?
    public var sha: String?
    public var digest: String?
    /// A whole image reference the payload names (`ghcr.io/o/app:2`, Docker Hub's `repo:tag`).
    public var image: String?

    public init(event: String, tag: String? = nil, branch: String? = nil, sha: String? = nil, digest: String? = nil,
                image: String? = nil) {
        self.event = event
        self.tag = tag
        self.branch = branch
        self.sha = sha
        self.digest = digest
        self.image = image
    }

    /// A delivery that authenticated but cannot be read: 400 with these words.
    public struct Unreadable: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// A delivery that asks for nothing this webhook deploys (a branch it does not follow, a
    /// ping): answered 200 with this reason, and nothing changes.
    public struct Ignored: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads a delivery of `provider`; `eventHeader` is `X-GitHub-Event` / `X-Gitlab-Event`.
    public static func parse(provider: WebhookSpec.Provider, eventHeader: String?, body: [UInt8]) throws(Unreadable) -> WebhookDelivery {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw Unreadable("the webhook body is not JSON: \(error)")
        }
        guard case .object = json else { throw Unreadable("the webhook body is not a JSON object") }
        switch provider {
        case .github:
            let event = eventHeader ?? "push"
            switch event {
            case "ping":
                return WebhookDelivery(event: "ping")
            case "registry_package", "package":
                let version = json[event]?["package_version"]
                let tag = version?["container_metadata"]?["tag"]
                var delivery = WebhookDelivery(event: event, tag: tag?["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                                               digest: tag?["digest"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
                if let url = version?["package_url"]?.stringValue, !url.isEmpty { delivery.image = url }
                return delivery
            default:
                return try fromRef(event: event, ref: json["ref"]?.stringValue, sha: json["after"]?.stringValue)
            }
        case .gitlab:
            let event = (eventHeader ?? "Push Hook").lowercased().replacingOccurrences(of: " hook", with: "").replacingOccurrences(of: " ", with: "_")
            return try fromRef(event: event, ref: json["ref"]?.stringValue, sha: json["checkout_sha"]?.stringValue ?? json["after"]?.stringValue)
        case .dockerhub:
            guard let tag = json["push_data"]?["tag"]?.stringValue, let repository = json["repository"]?["repo_name"]?.stringValue else {
                throw Unreadable("a Docker Hub delivery carries push_data.tag and repository.repo_name")
            }
            return WebhookDelivery(event: "push", tag: tag, image: repository + ":" + tag)
        case .generic:
            let delivery = WebhookDelivery(event: json["event"]?.stringValue ?? "deploy", tag: json["tag"]?.stringValue, branch: json["branch"]?.stringValue,
                                           sha: json["sha"]?.stringValue, digest: json["digest"]?.stringValue, image: json["image"]?.stringValue)
            guard delivery.tag != nil || delivery.digest != nil || delivery.image != nil || delivery.branch != nil else {
                throw Unreadable("a generic delivery names an \"image\", a \"tag\", a \"digest\" or a \"branch\"")
            }
            return delivery
        }
    }

    private static func fromRef(event: String, ref: String?, sha: String?) throws(Unreadable) -> WebhookDelivery {
        guard let ref else { throw Unreadable("the \(event) delivery has no \"ref\"") }
        if ref.hasPrefix("refs/tags/") {
            return WebhookDelivery(event: event, tag: String(ref.dropFirst("refs/tags/".count)), sha: sha)
        }
        if ref.hasPrefix("refs/heads/") {
            return WebhookDelivery(event: event, branch: String(ref.dropFirst("refs/heads/".count)), sha: sha)
        }
        throw Unreadable("the \(event) delivery's ref \"\(ref)\" is neither a branch nor a tag")
    }

    /// The image this delivery rolls a service running `currentImage` to, under `spec`'s rules.
    public func image(for spec: WebhookSpec, currentImage: String) throws(Ignored) -> String {
        if event == "ping" { throw Ignored("ping") }
        if let branch {
            if spec.branches.isEmpty && !(spec.imageTemplate ?? "").contains("{branch}") && !(spec.imageTemplate ?? "").contains("sha}") {
                throw Ignored("branch \(branch) is not deployed: this webhook follows no branches (set --branch)")
            }
            if !spec.branches.isEmpty && !spec.branches.contains(where: { Self.glob($0, matches: branch) }) {
                throw Ignored("branch \(branch) matches none of " + spec.branches.joined(separator: ", "))
            }
        }
        if let tag, !spec.tags.isEmpty, !spec.tags.contains(where: { Self.glob($0, matches: tag) }) {
            throw Ignored("tag \(tag) matches none of " + spec.tags.joined(separator: ", "))
        }
        let repository = Self.repository(of: currentImage)
        if spec.imageSource == .redeploy { return currentImage }
        if let template = spec.imageTemplate {
            var values: [String: String] = ["repository": repository]
            values["tag"] = tag
            values["digest"] = digest
            values["branch"] = branch
            values["sha"] = sha
            values["short_sha"] = sha.map { String($0.prefix(7)) }
            var result = template
            for variable in WebhookSpec.templateVariables where result.contains("{\(variable)}") {
                guard let value = values[variable], !value.isEmpty else {
                    throw Ignored("the delivery carries no \(variable) for the image template \(template)")
                }
                result = result.replacingOccurrences(of: "{\(variable)}", with: value)
            }
            return result
        }
        if let image { return image }
        if let digest { return repository + "@" + digest }
        if let tag { return repository + ":" + tag }
        throw Ignored("the delivery names no tag, digest or image (branch pushes need --image-template)")
    }

    /// `registry:5000/ns/app` of `registry:5000/ns/app:1@sha256:…`.
    public static func repository(of image: String) -> String {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        return String(name)
    }

    /// `*` matches any run of characters; everything else matches itself.
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == text }
        guard text.hasPrefix(parts[0]), let lastPart = parts.last, text.dropFirst(parts[0].count).hasSuffix(lastPart) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count).dropLast(lastPart.count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
