import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird

/// An error as the Docker Engine API reports it: an HTTP status and `{"message": …}`.
public struct DockerAPIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // As Go writes it: `/` unescaped.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(["message": message])) ?? Data(#"{"message":"internal error"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: Docker's words

    package static let notManager = DockerAPIError(
        .serviceUnavailable,
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.")

    package static let workerNode = DockerAPIError(
        .serviceUnavailable,
        "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.")

    package static let alreadyInSwarm = DockerAPIError(
        .serviceUnavailable,
        "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.")

    package static let locked = DockerAPIError(
        .serviceUnavailable,
        "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.")

    package static func badRequest(_ message: String) -> DockerAPIError { DockerAPIError(.badRequest, message) }

    /// A node whose manager certificate is still valid but which the swarm has demoted.
    package static func demotedManager(_ nodeID: String) -> DockerAPIError {
        DockerAPIError(.forbidden, "Permission denied: node \(nodeID) is no longer a manager of this swarm")
    }

    package static func notFound(_ message: String) -> DockerAPIError { DockerAPIError(.notFound, message) }
}

extension DockerAPIError {
    /// Maps the errors of the layers below onto Docker's statuses.
    package init(_ error: any Error) {
        switch error {
        case let error as DockerAPIError:
            self = error
        case let error as QueryError:
            self.init(HTTPResponse.Status(code: error.httpStatus), error.description)
        case let error as ValidationError:
            self.init(.badRequest, error.message)
        case let error as ProposalError:
            switch error {
            case .invalid(let validation): self.init(.badRequest, validation.message)
            case .replication(.outcomeUnknown(let why)):
                // Not a failure: the write may still be applied. A distinct status lets a
                // client tell it from a refusal (503), after which retrying is safe.
                self.init(.gatewayTimeout, RaftDriverError.outcomeUnknown(why).description)
            case .replication(let failure): self.init(.serviceUnavailable, failure.description)
            }
        default:
            self.init(.internalServerError, "\(error)")
        }
    }

    /// A command rejected at apply time, with the status dockerd gives that outcome.
    package static func rejected(_ reason: String) -> DockerAPIError {
        if reason.hasPrefix("idempotency key reused") {
            return DockerAPIError(.unprocessableContent, reason)
        }
        if reason.contains("already exists") || reason.contains("name conflicts") {
            return DockerAPIError(.conflict, reason)
        }
        if reason.hasSuffix("not found") {
            return DockerAPIError(.notFound, reason)
        }
        if reason == "update out of sequence" {
            return DockerAPIError(.internalServerError, "rpc error: code = Unknown desc = update out of sequence")
        }
        return DockerAPIError(.badRequest, reason)
    }
}
