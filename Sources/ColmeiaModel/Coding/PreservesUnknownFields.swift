/// A Docker-shaped object that keeps the members it does not model.
///
/// Decoding collects every member whose key the type does not know (after Go's
/// case-insensitive matching) into ``extra``; encoding writes them back. A spec sent by a
/// newer client therefore survives decode → store → encode with no field lost.
public protocol PreservesUnknownFields {
    /// Members of the JSON object this type does not model, by their original key.
    var extra: [String: JSONValue] { get set }
}
