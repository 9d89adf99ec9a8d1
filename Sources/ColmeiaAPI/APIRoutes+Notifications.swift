import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

/// What creating a subscription answers, once: the secret its messages are signed with.
struct CreatedSubscription: Codable, Sendable {
    var id: String
    var name: String
    var secret: String

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case secret = "Secret"
    }
}

extension APIRoutes {
    /// Notification subscriptions (admin to change, operator to read) and their delivery logs.
    func addNotificationRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/notifications") { request, _ in
            try JSONResponse.encode(try await self.store().list(NotificationSubscription.self, filters: request.filters()).map {
                $0.redactedForAPI()
            })
        }
        router.post("/colmeia/v1/notifications") { request, context in
            let spec = try await JSONResponse.decode(NotificationSubscription.Spec.self, from: request, context: context, limit: 64 << 10)
            do throws(ValidationError) {
                try spec.validate()
            } catch {
                throw DockerAPIError.badRequest("invalid notification subscription: " + error.message)
            }
            try CommandFactory.refuseIdempotencyKey(context, creating: "a notification subscription")
            let subscription = NotificationSubscription(id: CommandFactory.newID(context), spec: spec, secret: WebhookSignature.newSecret())
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     preconditions: [.nameAbsent(kind: .subscription, name: spec.name)],
                                                     events: [.subscriptionCreated(subscription)]))
            return try JSONResponse.encode(CreatedSubscription(id: subscription.id, name: spec.name, secret: subscription.secret),
                                           status: .created)
        }
        router.get("/colmeia/v1/notifications/{id}") { _, context in
            try JSONResponse.encode(try await self.store().get(NotificationSubscription.self, context.objectReference()).redactedForAPI())
        }
        router.get("/colmeia/v1/notifications/{id}/deliveries") { _, context in
            let store = try await self.store()
            let subscription = try store.get(NotificationSubscription.self, context.objectReference())
            let deliveries = try store.list(NotificationDelivery.self, filters: Filters(["name": [subscription.id + "/"]]))
                .filter { $0.subscriptionID == subscription.id }
            return try JSONResponse.encode(deliveries.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) })
        }
        router.delete("/colmeia/v1/notifications/{id}") { request, context in
            let store = try await self.store()
            let subscription = try store.get(NotificationSubscription.self, context.objectReference())
            // Its delivery log goes with it.
            let deliveries = try store.list(NotificationDelivery.self, filters: Filters(["name": [subscription.id + "/"]]))
                .filter { $0.subscriptionID == subscription.id }
            _ = try await self.submit(ClusterCommand(envelope: CommandFactory.envelope(for: request, context: context),
                                                     events: [.subscriptionRemoved(id: subscription.id)]
                                                         + deliveries.map { .deliveryRemoved(id: $0.id) }))
            return Response(status: .ok)
        }
    }
}
