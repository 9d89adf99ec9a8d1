/// The validated records of one segment file.
struct WALSegmentScan {
    /// Each record with the byte offset of its frame.
    var records: [(offset: Int, record: WALRecord)]
    /// Where the torn tail starts (the file must be cut here), or `nil` if the segment
    /// ended cleanly.
    var tornTail: (offset: Int, reason: String)?
}
