import Foundation
import Testing

@testable import ColmeiaModel

@Suite("Timestamp")
struct TimestampTests {
    @Test("prints Go's RFC3339Nano exactly", arguments: [
        "2016-06-07T20:31:11.853781916Z",
        "2016-06-07T20:31:11Z",
        "2016-06-07T20:31:11.1Z",
        "2016-06-07T20:31:11.000000001Z",
        "2016-06-07T20:31:11.99Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.5Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "2000-02-29T12:00:00Z",
        "2024-02-29T00:00:00.000100Z".replacingOccurrences(of: "000100Z", with: "0001Z"),
    ])
    func roundTrip(text: String) throws {
        let timestamp = try #require(Timestamp(rfc3339: text))
        #expect(timestamp.rfc3339 == text)
        #expect(timestamp.description == text)
        #expect(Timestamp(text) == timestamp)
    }

    @Test("keeps nanoseconds without rounding")
    func nanoseconds() throws {
        let timestamp = try #require(Timestamp(rfc3339: "2016-06-07T20:31:11.853781916Z"))
        #expect(timestamp.seconds == 1_465_331_471)
        #expect(timestamp.nanoseconds == 853_781_916)
        #expect(Timestamp(seconds: 1_465_331_471, nanoseconds: 853_781_916) == timestamp)
        #expect(Timestamp(nanosecondsSince1970: 1_465_331_471_853_781_916) == timestamp)
    }

    @Test("trailing zeros are dropped and short fractions are scaled")
    func fractions() throws {
        #expect(Timestamp(rfc3339: "2016-06-07T20:31:11.100000000Z")?.rfc3339 == "2016-06-07T20:31:11.1Z")
        #expect(Timestamp(rfc3339: "2016-06-07T20:31:11.000Z")?.rfc3339 == "2016-06-07T20:31:11Z")
        #expect(Timestamp(rfc3339: "2016-06-07T20:31:11.5Z")?.nanoseconds == 500_000_000)
        // Go truncates digits beyond nanoseconds.
        #expect(Timestamp(rfc3339: "2016-06-07T20:31:11.1234567899Z")?.nanoseconds == 123_456_789)
    }

    @Test("offsets are converted to UTC")
    func offsets() {
        #expect(Timestamp(rfc3339: "2016-06-07T22:31:11.5+02:00")?.rfc3339 == "2016-06-07T20:31:11.5Z")
        #expect(Timestamp(rfc3339: "2016-06-07T15:01:11-05:30")?.rfc3339 == "2016-06-07T20:31:11Z")
        #expect(Timestamp(rfc3339: "2016-01-01T00:30:00+01:00")?.rfc3339 == "2015-12-31T23:30:00Z")
        #expect(Timestamp(rfc3339: "2016-06-07t20:31:11z")?.rfc3339 == "2016-06-07T20:31:11Z")
    }

    @Test("rejects malformed text", arguments: [
        "", "2016-06-07", "2016-06-07T20:31:11", "2016-6-07T20:31:11Z", "2016-06-07 20:31:11Z",
        "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2016-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2016-04-31T00:00:00Z", "2016-06-07T24:00:00Z", "2016-06-07T20:60:00Z",
        "2016-06-07T20:31:60Z", "2016-06-07T20:31:11.Z", "2016-06-07T20:31:11+0200", "2016-06-07T20:31:11+24:00",
        "2016-06-07T20:31:11Zjunk", "２016-06-07T20:31:11Z",
    ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("Go's zero time is 0001-01-01")
    func zero() {
        #expect(Timestamp.zero.rfc3339 == "0001-01-01T00:00:00Z")
        #expect(Timestamp.zero.isZero)
        #expect(!Timestamp(seconds: 0).isZero)
        #expect(SwarmTask().status.timestamp == .zero)
    }

    @Test("orders and does arithmetic in nanoseconds")
    func arithmetic() throws {
        let start = try #require(Timestamp(rfc3339: "2016-06-07T20:31:11.999999999Z"))
        let later = start.adding(nanoseconds: 2)
        #expect(later.rfc3339 == "2016-06-07T20:31:12.000000001Z")
        #expect(later > start)
        #expect(later.nanoseconds(since: start) == 2)
        #expect(start.nanoseconds(since: later) == -2)
        #expect(start.adding(nanoseconds: -1_999_999_999).rfc3339 == "2016-06-07T20:31:10Z")
        #expect(start.adding(nanoseconds: 5_000_000_000).rfc3339 == "2016-06-07T20:31:16.999999999Z")
        #expect(Timestamp(seconds: -1, nanoseconds: 500_000_000).adding(nanoseconds: -600_000_000).rfc3339
            == "1969-12-31T23:59:58.9Z")
        #expect(Timestamp(nanosecondsSince1970: -1).rfc3339 == "1969-12-31T23:59:59.999999999Z")
        #expect(Timestamp.zero.nanoseconds(since: try #require(Timestamp(rfc3339: "9999-01-01T00:00:00Z"))) == .min)
    }

    @Test("days from 1600 to 2400 survive a round trip")
    func civilCalendar() throws {
        var day = try #require(Timestamp(rfc3339: "1600-01-01T00:00:00Z"))
        let end = try #require(Timestamp(rfc3339: "2400-12-31T00:00:00Z"))
        var count = 0
        while day <= end {
            #expect(Timestamp(rfc3339: day.rfc3339) == day)
            day = day.adding(nanoseconds: 5 * 86_400 * 1_000_000_000 + 3_600_000_000_123)
            count += 1
        }
        #expect(count > 55_000)
    }

    @Test("JSON form is a string; invalid strings fail to decode")
    func codable() throws {
        let timestamp = try decode(Timestamp.self, #""2016-06-07T20:31:11.853781916Z""#)
        #expect(try encodeText(timestamp) == #""2016-06-07T20:31:11.853781916Z""#)
        #expect(throws: DecodingError.self) { try decode(Timestamp.self, #""yesterday""#) }
    }

    @Test("converts from and to Date and reads the clock")
    func dates() {
        let date = Date(timeIntervalSince1970: 1_465_331_471.5)
        #expect(Timestamp(date).rfc3339 == "2016-06-07T20:31:11.5Z")
        #expect(Timestamp(date).date == date)
        let now = Timestamp.now()
        #expect(abs(now.date.timeIntervalSinceNow) < 60)
    }
}
