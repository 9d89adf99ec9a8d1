import ColmeiaModel
import Testing

@Suite("WebhookDelivery: what each provider's payload announces, and the image it rolls to")
struct WebhookDeliveryTests {
    func parse(_ provider: WebhookSpec.Provider, _ body: String, event: String? = nil) throws -> WebhookDelivery {
        try WebhookDelivery.parse(provider: provider, eventHeader: event, body: Array(body.utf8))
    }

    @Test("GitHub: a tag push, a branch push, a registry package, a ping")
    func github() throws {
        let tag = try parse(.github, #"{"ref":"refs/tags/v2.1","after":"abcdef1234567"}"#, event: "push")
        #expect(tag.tag == "v2.1" && tag.branch == nil && tag.sha == "abcdef1234567")
        let branch = try parse(.github, #"{"ref":"refs/heads/main","after":"abcdef1234567"}"#, event: "push")
        #expect(branch.branch == "main" && branch.tag == nil)
        let package = try parse(.github, #"{"registry_package":{"package_version":{"package_url":"ghcr.io/acme/web:2","container_metadata":{"tag":{"name":"2","digest":"sha256:\#(String(repeating: "a", count: 64))"}}}}}"#,
                                event: "registry_package")
        #expect(package.image == "ghcr.io/acme/web:2" && package.tag == "2")
        #expect(try parse(.github, "{}", event: "ping").event == "ping")
    }

    @Test("GitLab, Docker Hub and generic payloads")
    func otherProviders() throws {
        let gitlab = try parse(.gitlab, #"{"ref":"refs/tags/3","checkout_sha":"0123456789"}"#, event: "Tag Push Hook")
        #expect(gitlab.event == "tag_push" && gitlab.tag == "3" && gitlab.sha == "0123456789")
        let hub = try parse(.dockerhub, #"{"push_data":{"tag":"7"},"repository":{"repo_name":"acme/web"}}"#)
        #expect(hub.image == "acme/web:7")
        let generic = try parse(.generic, #"{"image":"registry.example:5000/ns/app@sha256:\#(String(repeating: "b", count: 64))"}"#)
        #expect(generic.image?.hasPrefix("registry.example:5000/ns/app@sha256:") == true)
        #expect(throws: WebhookDelivery.Unreadable.self) { try parse(.generic, #"{"nothing":1}"#) }
        #expect(throws: WebhookDelivery.Unreadable.self) { try parse(.github, "not json") }
        #expect(throws: WebhookDelivery.Unreadable.self) { try parse(.github, #"{"ref":"refs/pull/1/head"}"#) }
    }

    @Test("the image: the tag on the service's repository, whatever form the repository has")
    func images() throws {
        let spec = WebhookSpec(name: "gh", provider: .github, service: "web")
        let push = WebhookDelivery(event: "push", tag: "2")
        for (current, expected) in [("localbusybox:1", "localbusybox:2"), ("nginx", "nginx:2"), ("ns/app:1", "ns/app:2"),
                                    ("host:5000/ns/app@sha256:" + String(repeating: "c", count: 64), "host:5000/ns/app:2"),
                                    ("host:5000/app", "host:5000/app:2")] {
            #expect(try push.image(for: spec, currentImage: current) == expected, "from \(current)")
        }
        let digest = WebhookDelivery(event: "deploy", digest: "sha256:" + String(repeating: "d", count: 64))
        #expect(try digest.image(for: spec, currentImage: "redis:7") == "redis@sha256:" + String(repeating: "d", count: 64))
        var templated = spec
        templated.branches = ["main"]
        templated.imageTemplate = "{repository}:{branch}-{short_sha}"
        let branch = WebhookDelivery(event: "push", branch: "main", sha: "0123456789abcdef")
        #expect(try branch.image(for: templated, currentImage: "ns/app:1") == "ns/app:main-0123456")
        var redeploy = spec
        redeploy.imageSource = .redeploy
        #expect(try push.image(for: redeploy, currentImage: "nginx:alpine") == "nginx:alpine")
    }

    @Test("branches and tags outside the filters, and branch pushes without a rule, are ignored with the reason")
    func filters() {
        var spec = WebhookSpec(name: "gh", provider: .github, service: "web")
        #expect(throws: WebhookDelivery.Ignored("branch dev is not deployed: this webhook follows no branches (set --branch)")) {
            try WebhookDelivery(event: "push", branch: "dev").image(for: spec, currentImage: "nginx:1")
        }
        spec.tags = ["v*"]
        #expect(throws: WebhookDelivery.Ignored("tag 2 matches none of v*")) {
            try WebhookDelivery(event: "push", tag: "2").image(for: spec, currentImage: "nginx:1")
        }
        #expect(WebhookDelivery.glob("v*.*", matches: "v1.2") && !WebhookDelivery.glob("v*.*", matches: "v12"))
        #expect(WebhookDelivery.glob("release-*", matches: "release-") && !WebhookDelivery.glob("main", matches: "main2"))
    }

    @Test("a subscription's URL is shown cut to its origin: chat webhook URLs are credentials")
    func subscriptionURLRedacted() {
        let subscription = NotificationSubscription(id: "s", spec: .init(name: "chat", url: "https://hooks.example:8443/services/T0/B1/xyz?token=1"),
                                                    secret: "k")
        #expect(subscription.redactedForAPI().spec.url == "https://hooks.example:8443/…")
        #expect(subscription.redactedForAPI().secret.isEmpty)
        let bare = NotificationSubscription(id: "s", spec: .init(name: "chat", url: "http://127.0.0.1:9000/"))
        #expect(bare.redactedForAPI().spec.url == "http://127.0.0.1:9000/")
    }

    @Test("specs: one target, known template variables, sane patterns, an http(s) receiver")
    func validation() {
        #expect(throws: ValidationError.self) { try WebhookSpec(name: "x", provider: .github).validate() }
        #expect(throws: ValidationError.self) { try WebhookSpec(name: "x", service: "a", stack: "b").validate() }
        #expect(throws: ValidationError.self) { try WebhookSpec(name: "x", service: "a", imageTemplate: "{repo}:{tag}").validate() }
        #expect(throws: ValidationError.self) { try WebhookSpec(name: "x", service: "a", tags: ["a b"]).validate() }
        #expect(throws: Never.self) { try WebhookSpec(name: "x", service: "a", imageTemplate: "{repository}:{tag}").validate() }
        #expect(throws: ValidationError.self) { try NotificationSubscription.Spec(name: "n", url: "ftp://host/").validate() }
        #expect(throws: ValidationError.self) { try NotificationSubscription.Spec(name: "n", url: "http://h/", events: ["deploy.done"]).validate() }
        #expect(throws: Never.self) { try NotificationSubscription.Spec(name: "n", url: "http://127.0.0.1:8080/x").validate() }
    }
}
