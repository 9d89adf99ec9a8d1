import Foundation

/// Values that Go's `encoding/json` leaves out under `omitempty` when they are empty:
/// `""`, `false`, `0`, empty slices and maps.
protocol GoOmitEmpty {
    var isGoEmpty: Bool { get }
}

extension String: GoOmitEmpty { var isGoEmpty: Bool { isEmpty } }
extension Bool: GoOmitEmpty { var isGoEmpty: Bool { !self } }
extension Int: GoOmitEmpty { var isGoEmpty: Bool { self == 0 } }
extension Int64: GoOmitEmpty { var isGoEmpty: Bool { self == 0 } }
extension UInt64: GoOmitEmpty { var isGoEmpty: Bool { self == 0 } }
extension UInt32: GoOmitEmpty { var isGoEmpty: Bool { self == 0 } }
extension Double: GoOmitEmpty { var isGoEmpty: Bool { self == 0 } }
extension Array: GoOmitEmpty { var isGoEmpty: Bool { isEmpty } }
extension Dictionary: GoOmitEmpty { var isGoEmpty: Bool { isEmpty } }
extension Data: GoOmitEmpty { var isGoEmpty: Bool { isEmpty } }
