extension ContainerSpec {
    /// How a node pulls the image: SwarmKit's `ContainerSpec.PullOptions`, which Docker's
    /// API types leave out (credentials are never shown by `docker service inspect`).
    public struct PullOptions: Sendable, Hashable, Codable {
        /// The `X-Registry-Auth` value: base64url of the registry credentials (JSON).
        public var registryAuth: String

        public init(registryAuth: String) {
            self.registryAuth = registryAuth
        }

        enum CodingKeys: String, CodingKey {
            case registryAuth = "RegistryAuth"
        }
    }
}

extension Service {
    /// The service as the API shows it: without registry credentials.
    public func redactedForAPI() -> Service {
        var service = self
        service.spec.taskTemplate.containerSpec?.pullOptions = nil
        service.previousSpec?.taskTemplate.containerSpec?.pullOptions = nil
        return service
    }
}

extension SwarmTask {
    /// The task as the API shows it: without registry credentials.
    public func redactedForAPI() -> SwarmTask {
        var task = self
        task.spec.containerSpec?.pullOptions = nil
        return task
    }
}
