import ColmeiaClient
import ColmeiaModel

/// Resolves the names a user gives (secrets, configs, networks) to the ids the API needs.
enum ServiceReferences {
    static func secrets(_ requests: [FileReferenceRequest], client: ColmeiaClient) async throws -> [SecretReference] {
        guard !requests.isEmpty else { return [] }
        let known = try await client.secrets()
        return try requests.map { request throws(CLIError) -> SecretReference in
            guard let secret = known.first(where: { $0.spec.name == request.source }) ?? known.first(where: { $0.id == request.source }) else {
                throw CLIError("Error response from daemon: secret not found: \(request.source)")
            }
            return SecretReference(file: ReferenceFileTarget(name: request.target, uid: request.uid, gid: request.gid, mode: request.mode),
                                   secretID: secret.id, secretName: secret.spec.name)
        }
    }

    static func configs(_ requests: [FileReferenceRequest], client: ColmeiaClient) async throws -> [ConfigReference] {
        guard !requests.isEmpty else { return [] }
        let known = try await client.configs()
        return try requests.map { request throws(CLIError) -> ConfigReference in
            guard let config = known.first(where: { $0.spec.name == request.source }) ?? known.first(where: { $0.id == request.source }) else {
                throw CLIError("Error response from daemon: config not found: \(request.source)")
            }
            let target = request.target.hasPrefix("/") ? request.target : "/" + request.target
            return ConfigReference(file: ReferenceFileTarget(name: target, uid: request.uid, gid: request.gid, mode: request.mode),
                                   configID: config.id, configName: config.spec.name)
        }
    }

    static func networks(_ names: [String], client: ColmeiaClient) async throws -> [NetworkAttachmentConfig] {
        var attachments: [NetworkAttachmentConfig] = []
        for name in names {
            let network = try await client.network(name)
            attachments.append(NetworkAttachmentConfig(target: network.id, aliases: []))
        }
        return attachments
    }
}
