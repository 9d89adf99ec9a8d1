import Foundation

/// Log encoding: `{"v":1,"envelope":{…},"preconditions":[…],"events":[…]}` — JSON with
/// sorted keys. A reader checks `v` first; unknown members are ignored so that additive
/// changes need no new version, while anything an old build could not apply correctly
/// (new event or precondition types, changed meanings) requires a new version.
extension ClusterCommand {
    /// The bytes to put in the log. A command whose content the encoder refuses (a value
    /// nested beyond its limit) is refused as invalid, never a crash.
    public func encoded() throws(ValidationError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            return Array(try encoder.encode(WireV1(self)))
        } catch {
            throw ValidationError(field: "", message: "the request cannot be stored: \(error)")
        }
    }

    /// Reads bytes written by ``encoded()`` of this or an older build.
    public init(encoded bytes: [UInt8]) throws(CommandDecodingError) {
        let data = Data(bytes)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw .missingVersion
        }
        guard let version = header.v else { throw .missingVersion }
        guard version >= 1, version <= Self.formatVersion else { throw .unsupportedVersion(version) }
        do {
            self = try decoder.decode(WireV1.self, from: data).command
        } catch let error as CommandDecodingError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw Self.unwrap(context) ?? .malformed(Self.describe(context))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .malformed("missing \(Self.path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw Self.unwrap(context) ?? .malformed(Self.describe(context))
        } catch {
            throw .malformed(String(describing: error))
        }
    }

    private static func unwrap(_ context: DecodingError.Context) -> CommandDecodingError? {
        context.underlyingError as? CommandDecodingError
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        "\(path(context.codingPath)): \(context.debugDescription)"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }

    private struct Header: Decodable {
        var v: Int?
    }

    /// Format version 1.
    private struct WireV1: Codable {
        var v: Int
        var envelope: CommandEnvelope
        var preconditions: [Precondition]
        var events: [ClusterEvent]

        init(_ command: ClusterCommand) {
            v = 1
            envelope = command.envelope
            preconditions = command.preconditions
            events = command.events
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            v = try container.decode(Int.self, forKey: .v)
            envelope = try container.decode(CommandEnvelope.self, forKey: .envelope)
            preconditions = try container.decodeIfPresent([Precondition].self, forKey: .preconditions) ?? []
            events = try container.decodeIfPresent([ClusterEvent].self, forKey: .events) ?? []
        }

        var command: ClusterCommand {
            ClusterCommand(envelope: envelope, preconditions: preconditions, events: events)
        }
    }
}
