/// What a webhook does: who may call it (`Provider`, which decides how a delivery is
/// authenticated and read), what it deploys (`Service`, or the services of `Stack`), and
/// the rule that picks the new image.
public struct WebhookSpec: Sendable, Hashable {
    /// How a delivery proves it knows the secret, and where its image or tag is.
    public enum Provider: String, Sendable, Hashable, Codable, CaseIterable {
        /// `X-Hub-Signature-256: sha256=HMAC(secret, body)`; push (tag or branch) and
        /// `registry_package` events.
        case github
        /// `X-Gitlab-Token: secret`; push and tag push events.
        case gitlab
        /// No signature: the secret is a token in the URL (`/hooks/NAME/TOKEN`). Weaker:
        /// anyone who sees the URL (a proxy log) can call it.
        case dockerhub
        /// `X-Colmeia-Signature: t=UNIX,v1=HMAC(secret, "UNIX.body")`, at most 5 minutes old;
        /// body `{"image": …}`, `{"tag": …}` or `{"digest": …}`.
        case generic
    }

    /// Where the new image comes from.
    public enum ImageSource: String, Sendable, Hashable, Codable, CaseIterable {
        /// From the delivery: a tag or digest applied to the service's repository (or a
        /// whole image where the payload names one), through `ImageTemplate`.
        case payload
        /// No image change: the service's tasks are replaced (`docker service update
        /// --force`), so a moving tag such as `:latest` is pulled again.
        case redeploy
    }

    public var name: String
    public var labels: [String: String]
    public var provider: Provider
    /// The service this webhook deploys (its id; the API accepts a name and stores the id).
    public var service: String?
    /// Or: the services of this stack (`com.docker.stack.namespace`) whose image repository
    /// is the one the delivery names.
    public var stack: String?
    public var imageSource: ImageSource
    /// How the new image is written: `{repository}`, `{tag}`, `{digest}`, `{branch}`,
    /// `{sha}`, `{short_sha}`. Default `{repository}:{tag}` (`{repository}@{digest}` when
    /// the delivery carries only a digest).
    public var imageTemplate: String?
    /// Deliveries of git branches are deployed only when the branch matches one of these
    /// (`*` wildcards); none: branch pushes are ignored unless the template uses them.
    public var branches: [String]
    /// Deliveries of tags are deployed only when the tag matches one of these; none: any tag.
    public var tags: [String]

    public init(name: String = "", labels: [String: String] = [:], provider: Provider = .generic, service: String? = nil,
                stack: String? = nil, imageSource: ImageSource = .payload, imageTemplate: String? = nil,
                branches: [String] = [], tags: [String] = []) {
        self.name = name
        self.labels = labels
        self.provider = provider
        self.service = service
        self.stack = stack
        self.imageSource = imageSource
        self.imageTemplate = imageTemplate
        self.branches = branches
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case labels = "Labels"
        case provider = "Provider"
        case service = "Service"
        case stack = "Stack"
        case imageSource = "ImageSource"
        case imageTemplate = "ImageTemplate"
        case branches = "Branches"
        case tags = "Tags"
    }
}

extension WebhookSpec: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        provider = try container.decodeIfPresent(Provider.self, forKey: .provider) ?? .generic
        service = try container.decodeIfPresent(String.self, forKey: .service)
        stack = try container.decodeIfPresent(String.self, forKey: .stack)
        imageSource = try container.decodeIfPresent(ImageSource.self, forKey: .imageSource) ?? .payload
        imageTemplate = try container.decodeIfPresent(String.self, forKey: .imageTemplate)
        branches = try container.decodeIfPresent([String].self, forKey: .branches) ?? []
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        if !labels.isEmpty { try container.encode(labels, forKey: .labels) }
        try container.encode(provider, forKey: .provider)
        try container.encodeIfPresent(service, forKey: .service)
        try container.encodeIfPresent(stack, forKey: .stack)
        try container.encode(imageSource, forKey: .imageSource)
        try container.encodeIfPresent(imageTemplate, forKey: .imageTemplate)
        if !branches.isEmpty { try container.encode(branches, forKey: .branches) }
        if !tags.isEmpty { try container.encode(tags, forKey: .tags) }
    }
}
