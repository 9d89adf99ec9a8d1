import ColmeiaCluster
import ColmeiaModel
import ColmeiaPKI
import ColmeiaStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /colmeia/v1/hooks/{name}` answers this with `202 Accepted` (or again, with
/// `Replayed`, to a redelivery): the deploys the delivery started.
struct HookAccepted: Codable, Sendable {
    struct Started: Codable, Sendable {
        var id: String
        var serviceID: String
        var serviceName: String
        var image: String

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case serviceID = "ServiceID"
            case serviceName = "ServiceName"
            case image = "Image"
        }
    }

    var id: String
    var delivery: String
    var replayed: Bool
    var deploys: [Started]

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case delivery = "Delivery"
        case replayed = "Replayed"
        case deploys = "Deploys"
    }
}

extension APIRoutes {
    /// The largest delivery body read (GitHub's own cap is 25 MB; a push event is a few KiB).
    static let hookBodyLimit = 1 << 20
    /// Every authentication failure (an unknown webhook included) answers this, alike.
    static let hookRefusal = DockerAPIError(.unauthorized, "webhook authentication failed")
    /// The key an unknown webhook's delivery is checked against, so that it costs what a
    /// known one costs.
    private static let decoySecret = WebhookSignature.newSecret()

    /// The inbound webhook endpoint, open to callers without an identity: each delivery
    /// proves itself by its provider's signature or token.
    func addHookRoutes(to router: Router<APIRequestContext>) {
        router.post("/colmeia/v1/hooks/{name}") { request, context in
            try await self.receiveHook(request, context: context, pathToken: nil)
        }
        router.post("/colmeia/v1/hooks/{name}/{token}") { request, context in
            try await self.receiveHook(request, context: context, pathToken: context.parameters.get("token") ?? "")
        }
    }

    private func receiveHook(_ request: Request, context: APIRequestContext, pathToken: String?) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        var caller: [String: String] = ["transport": context.channel.localAddress?.protocol == .unix ? "unix" : "tcp"]
        if let address = context.channel.remoteAddress?.ipAddress { caller["address"] = address }
        if let agent = request.headers[.userAgent] { caller["userAgent"] = String(agent.prefix(200)) }
        let shownPath = "/colmeia/v1/hooks/" + String(name.prefix(200)) + (pathToken == nil ? "" : "/(token)")
        var request = request
        let body: [UInt8]
        do {
            body = Array(try await request.collectBody(upTo: Self.hookBodyLimit).readableBytesView)
        } catch {
            await refuseHook(name, caller, path: shownPath, reason: "body larger than \(Self.hookBodyLimit) bytes")
            throw DockerAPIError(.contentTooLarge, "webhook body is larger than \(Self.hookBodyLimit) bytes (1 MiB)")
        }
        // The local read models, without a read barrier: an unauthenticated caller must not
        // cost the leader a round trip. The deploy itself reads through the barrier.
        let local = await manager.localStore()
        let found = (try? local?.get(Webhook.self, name)).flatMap { $0?.spec.name == name ? $0 : nil }
        let secret = found?.secret ?? Self.decoySecret
        let provider = found?.spec.provider ?? .generic
        let failure = Self.authenticate(provider, headers: request.headers, body: body, secret: secret, pathToken: pathToken)
        guard let hook = found, failure == nil else {
            await refuseHook(name, caller, path: shownPath, reason: found == nil ? "no such webhook" : failure ?? "")
            throw Self.hookRefusal
        }
        let delivery: WebhookDelivery
        do {
            delivery = try WebhookDelivery.parse(provider: provider, eventHeader: Self.eventHeader(provider, request.headers), body: body)
        } catch {
            throw DockerAPIError.badRequest(error.description)
        }
        let deliveryID = Self.deliveryID(request.headers, body: body)
        let dedupKey = Self.deduplicationKey(provider, request.headers, body: body)
        var actor = CommandEnvelope.Actor(kind: .webhook, id: hook.id, details: caller)
        actor.details["name"] = hook.spec.name
        actor.details["provider"] = provider.rawValue
        actor.details["delivery"] = deliveryID
        actor.details["event"] = delivery.event
        let requestID = context.requestID ?? UUID().uuidString.lowercased()
        for _ in 0..<8 {
            let store = try await self.store()
            let earlier = try Self.deploys(of: hook, key: dedupKey, store)
            if !earlier.isEmpty { return try Self.accepted(earlier, delivery: deliveryID, replayed: true) }
            let plan = try Self.plan(hook, delivery, deliveryID: deliveryID, key: dedupKey, store: store)
            if let ignored = plan.ignored {
                return try JSONResponse.encode(["Ignored": ignored, "Delivery": deliveryID])
            }
            let command = ClusterCommand(envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: actor, requestID: requestID),
                                         preconditions: plan.preconditions, events: plan.events)
            let (node, _) = try await manager.active()
            let outcome: ApplyOutcome
            do {
                outcome = try await node.propose(command)
            } catch {
                throw DockerAPIError(error)
            }
            switch outcome {
            case .applied, .alreadyApplied:
                return try Self.accepted(plan.deploys, delivery: deliveryID, replayed: false)
            case .rejected(_, let reason) where reason == "update out of sequence" || reason.contains("name conflicts")
                || (reason.hasPrefix("deploy ") && reason.hasSuffix("not found")):
                // A concurrent change of the service, the same delivery arriving twice at once
                // (the second finds the first's deploy), or another delivery pruning the same
                // old deploy: read again.
                continue
            case .rejected(_, let reason):
                throw DockerAPIError.rejected(reason)
            }
        }
        throw DockerAPIError(.conflict, "the service kept changing while the webhook tried to deploy it: deliver again")
    }

    /// Why the delivery does not prove it knows `secret` (nil: it does).
    static func authenticate(_ provider: WebhookSpec.Provider, headers: HTTPFields, body: [UInt8], secret: String,
                             pathToken: String?) -> String? {
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        // Every delivery costs one MAC of its body, whatever its provider and whether the
        // webhook exists: no answer comes sooner for a name that is not there.
        let bodyMAC = WebhookSignature.mac(body, secret: secret)
        switch provider {
        case .github:
            guard let signature = header("X-Hub-Signature-256") else { return "no X-Hub-Signature-256 header" }
            let expected = "sha256=" + WebhookSignature.hex(bodyMAC)
            return ConstantTime.equal(Array(signature.lowercased().utf8), Array(expected.utf8)) ? nil : "X-Hub-Signature-256 does not match"
        case .gitlab:
            guard let token = header("X-Gitlab-Token") else { return "no X-Gitlab-Token header" }
            return ConstantTime.equal(Array(SHA256.hash(data: Array(token.utf8))), Array(SHA256.hash(data: Array(secret.utf8))))
                ? nil : "X-Gitlab-Token does not match"
        case .dockerhub:
            guard let pathToken else { return "no token in the path" }
            return ConstantTime.equal(Array(SHA256.hash(data: Array(pathToken.utf8))), Array(SHA256.hash(data: Array(secret.utf8))))
                ? nil : "the path token does not match"
        case .generic:
            do {
                try WebhookSignature.verify(header(WebhookSignature.header), body: body, secret: secret, now: Timestamp.now().seconds)
                return nil
            } catch {
                return error.description
            }
        }
    }

    private static func eventHeader(_ provider: WebhookSpec.Provider, _ headers: HTTPFields) -> String? {
        let name = switch provider {
        case .github: "X-GitHub-Event"
        case .gitlab: "X-Gitlab-Event"
        case .dockerhub, .generic: "X-Colmeia-Event"
        }
        return HTTPField.Name(name).flatMap { headers[$0] }
    }

    /// The sender's delivery id (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`,
    /// `Idempotency-Key`), or a digest of the signature and body; for the record (deploy,
    /// audit trail), not for deduplication.
    static func deliveryID(_ headers: HTTPFields, body: [UInt8]) -> String {
        for name in ["X-GitHub-Delivery", "X-Gitlab-Event-UUID", "Idempotency-Key"] {
            if let field = HTTPField.Name(name), let value = headers[field], !value.isEmpty {
                return String(value.prefix(200)).replacingOccurrences(of: "/", with: "_")
            }
        }
        return digest(HTTPField.Name(WebhookSignature.header).flatMap { headers[$0] } ?? "", body)
    }

    /// What makes two deliveries the same: what was signed. GitHub, GitLab and Docker Hub
    /// sign (or carry) no timestamp and their delivery ids are not covered by the proof, so
    /// the body alone decides: a captured delivery sent again, whatever id it is given,
    /// finds the deploy it started instead of rolling the service back. A generic delivery
    /// is its signature and body (its signed timestamp makes each request unique), or its
    /// `Idempotency-Key`, which the sender keeps across retries it signs anew.
    static func deduplicationKey(_ provider: WebhookSpec.Provider, _ headers: HTTPFields, body: [UInt8]) -> String {
        guard provider == .generic else { return digest("", body) }
        if let field = HTTPField.Name("Idempotency-Key"), let key = headers[field], !key.isEmpty {
            return "key-" + String(key.prefix(200)).replacingOccurrences(of: "/", with: "_")
        }
        return digest(HTTPField.Name(WebhookSignature.header).flatMap { headers[$0] } ?? "", body)
    }

    private static func digest(_ signature: String, _ body: [UInt8]) -> String {
        "sha256-" + WebhookSignature.hex(Array(SHA256.hash(data: Array(signature.utf8) + [0] + body))).prefix(40)
    }

    private static func deploys(of hook: Webhook, key: String, _ store: ClusterStore) throws -> [Deploy] {
        try store.list(Deploy.self, filters: Filters(["name": [hook.id + "/" + key + "/"]]))
    }

    private static func accepted(_ deploys: [Deploy], delivery: String, replayed: Bool) throws -> Response {
        let ordered = deploys.sorted { $0.serviceName < $1.serviceName }
        let body = HookAccepted(id: ordered.first?.id ?? "", delivery: delivery, replayed: replayed,
                                deploys: ordered.map { .init(id: $0.id, serviceID: $0.serviceID, serviceName: $0.serviceName, image: $0.image) })
        var response = try JSONResponse.encode(body, status: .accepted)
        if let first = ordered.first { response.headers[.location] = "/colmeia/v1/deploys/" + first.id }
        return response
    }

    /// What one delivery does: for each service it targets, an update to the new image and
    /// the deploy that follows it, in one command.
    private struct HookPlan {
        var preconditions: [Precondition] = []
        var events: [ClusterEvent] = []
        var deploys: [Deploy] = []
        var ignored: String?
    }

    /// Deploys kept per webhook; older finished ones are removed with the next delivery.
    static let deploysKeptPerWebhook = 100

    private static func plan(_ hook: Webhook, _ delivery: WebhookDelivery, deliveryID: String, key: String,
                             store: ClusterStore) throws -> HookPlan {
        var targets: [Service]
        if let id = hook.spec.service {
            guard let service = try? store.get(Service.self, id), service.id == id else {
                throw DockerAPIError.notFound("service \(id) of webhook \(hook.spec.name) no longer exists")
            }
            targets = [service]
        } else {
            let stack = hook.spec.stack ?? ""
            targets = try store.list(Service.self, filters: Filters(["label": ["com.docker.stack.namespace=" + stack]]))
            if let named = delivery.image.map(WebhookDelivery.repository(of:)) {
                targets = targets.filter { WebhookDelivery.repository(of: $0.spec.taskTemplate.containerSpec?.image ?? "") == named }
            }
            guard !targets.isEmpty else {
                return HookPlan(ignored: "no service of stack \(stack) runs " + (delivery.image.map(WebhookDelivery.repository(of:)) ?? "an image"))
            }
        }
        var plan = HookPlan()
        var reasons: [String] = []
        for var service in targets.sorted(by: { $0.spec.name < $1.spec.name }) {
            guard let current = service.spec.taskTemplate.containerSpec?.image else {
                throw DockerAPIError.badRequest("service \(service.spec.name) runs no container image")
            }
            guard !service.spec.mode.isJob else {
                throw DockerAPIError(.unprocessableContent, "service \(service.spec.name) is a job: webhooks deploy services, not jobs")
            }
            let image: String
            do {
                image = try delivery.image(for: hook.spec, currentImage: current)
            } catch {
                reasons.append(error.description)
                continue
            }
            guard ImageReference.isValid(image) else {
                throw DockerAPIError.badRequest("invalid reference format: the delivery asks for image \"\(image)\"")
            }
            if hook.spec.provider == .dockerhub || delivery.event == "registry_package" || delivery.event == "package",
               delivery.image != nil, WebhookDelivery.repository(of: image) != WebhookDelivery.repository(of: current) {
                throw DockerAPIError(.unprocessableContent, "the delivery's image \(image) is not of the service's repository "
                                     + WebhookDelivery.repository(of: current))
            }
            let previous = service.spec
            var spec = previous
            spec.taskTemplate.containerSpec?.image = image
            // The same image again is a redeploy: the tasks are replaced (and the image pulled again).
            if image == current { spec.taskTemplate.forceUpdate &+= 1 }
            plan.preconditions.append(.objectVersion(kind: .service, id: service.id, index: service.version.index))
            service.previousSpec = previous
            service.spec = spec
            service.updateStatus = nil
            var deploy = Deploy(id: CommandFactory.randomID(), name: hook.id + "/" + key + "/" + service.id, webhookID: hook.id,
                                webhookName: hook.spec.name, provider: hook.spec.provider, delivery: deliveryID, event: delivery.event,
                                serviceID: service.id, serviceName: service.spec.name, image: image, previousImage: current,
                                forceUpdate: spec.taskTemplate.forceUpdate)
            deploy.template = Deploy.comparable(spec.taskTemplate)
            plan.preconditions.append(.nameAbsent(kind: .deploy, name: deploy.name))
            plan.events += [.serviceUpdated(service), .deployCreated(deploy)]
            plan.deploys.append(deploy)
        }
        guard !plan.deploys.isEmpty else { return HookPlan(ignored: reasons.first ?? "nothing to deploy") }
        // A webhook's history is bounded: its oldest finished deploys make room.
        let finished = try store.list(Deploy.self, filters: Filters(["name": [hook.id + "/"]])).filter { $0.state.isFinal }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let excess = finished.count + plan.deploys.count - deploysKeptPerWebhook
        if excess > 0 { plan.events += finished.prefix(excess).map { .deployRemoved(id: $0.id) } }
        return plan
    }

    /// Records a refused delivery in the audit trail (a few per second per caller at most).
    private func refuseHook(_ name: String, _ caller: [String: String], path: String, reason: String) async {
        var details = caller
        details["reason"] = reason
        let identity = RequestIdentity(kind: .webhook, name: String(name.prefix(200)), role: nil, details: details)
        // Counted by address: a caller cannot escape the limit by calling other names.
        await hookRefusals.record(identity, method: "POST", path: path, permission: "webhook.deliver", reason: reason,
                                  key: "webhook|" + (caller["address"] ?? caller["transport"] ?? ""))
    }
}
