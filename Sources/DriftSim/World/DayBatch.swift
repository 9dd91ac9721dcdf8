import DriftCore

/// A failure active on a day: which entry of `scenario.failures`, its kind, sub-kind and strength.
public struct ActiveFailure: Sendable, Equatable {
    public let index: Int
    public let kind: FailureKind
    public let subkind: String
    public let strength: Double
}

/// One simulated day, columnar: every array has `count` entries in transaction-time order.
/// The served columns are what the model sees; everything else is ground truth that a monitor
/// must not read (clean values, true label, fraud probability, failure marks) except the label,
/// and only once `chargebackDay` (or the confirmation day) has passed.
public struct DayBatch: Sendable {
    /// Day number: -referenceDays ..< 0 is the reference period, 0 ..< productionDays production.
    public let day: Int
    public internal(set) var count: Int
    /// Unique per transaction and increasing in time; a `duplicates` fault repeats an id.
    public internal(set) var transactionID: [Int64]
    /// Second of the day (0 ..< 86400) in the customer's time zone.
    public internal(set) var secondOfDay: [Int32]
    /// The hidden customer behind the card (ground truth, never served; for tests and diagnosis).
    public internal(set) var customerID: [Int32]
    /// Features as served to the model (after schema changes and data-quality faults).
    public internal(set) var served: FeatureColumns
    /// Features as the world drew them; the label and the fraud probability come from these.
    public internal(set) var clean: FeatureColumns
    /// Bit f set where a schema or data-quality fault reached served feature f of the row.
    public internal(set) var alteredMask: [UInt32]
    /// Bit f set where feature f arrives as text (`type_change`): served as missing, logged as text.
    public internal(set) var textMask: [UInt32]
    /// True label, fraud probability sigmoid(f_t(x)) and its log-odds f_t(x).
    public internal(set) var isFraud: [UInt8]
    public internal(set) var fraudProbability: [Double]
    public internal(set) var riskLogit: [Double]
    /// Day the chargeback arrives, or `TransactionSimulator.never` (a legitimate transaction, or a
    /// fraud never charged back: both are known as legitimate only at `day + chargebackWindowDays`).
    public internal(set) var chargebackDay: [Int32]
    /// 1 for the repeated copy of a row (`duplicates`).
    public internal(set) var isDuplicate: [UInt8]
    /// 1 where a fraudster on a compromised card made the transaction.
    public internal(set) var isCompromised: [UInt8]
    /// 1 for a fraud added by `fraud_wave` resampling (drawn from the unshifted process, kept
    /// because it is fraudulent; it never enters the customer's state).
    public internal(set) var isResampled: [UInt8]
    /// Failures active this day (strength > 0) and the same as a bitmask over
    /// `FailureKind.allCases` indices (bit k = kind k), repeated per row in `activeKindsMask`.
    public let activeFailures: [ActiveFailure]
    public let activeKinds: UInt8
    public internal(set) var activeKindsMask: [UInt8]

    /// Alternative-definition velocity values of the clean world (for `definition_skew`) and the
    /// velocity cache (for `stale`), in the order txn_count_1h, txn_count_24h, amount_sum_24h,
    /// amount_ratio_30d. Internal: the injectors read them.
    var alternative: [[Double]]
    var cached: [[Double]]
    var staleCustomer: [UInt8]

    /// The kinds active this day, from the bitmask.
    public var kinds: [FailureKind] { DayBatch.kinds(activeKinds) }

    public static func kinds(_ mask: UInt8) -> [FailureKind] {
        FailureKind.allCases.enumerated().filter { mask & (1 << UInt8($0.offset)) != 0 }.map(\.element)
    }

    /// The day the row's label becomes known: its chargeback day, else the day the chargeback
    /// window closes (legitimate, or a fraud never charged back that now looks legitimate).
    public func labelKnownDay(_ i: Int, chargebackWindowDays: Int) -> Int {
        chargebackDay[i] != TransactionSimulator.never ? Int(chargebackDay[i]) : day + chargebackWindowDays
    }

    /// Rows `rows` (in that order, repeats allowed) of every column.
    func selecting(_ rows: [Int]) -> DayBatch {
        func pick<T>(_ a: [T]) -> [T] { a.isEmpty ? a : rows.map { a[$0] } }
        var b = self
        b.count = rows.count
        b.transactionID = pick(transactionID); b.secondOfDay = pick(secondOfDay); b.customerID = pick(customerID)
        b.served.numeric = served.numeric.map(pick); b.served.codes = served.codes.map(pick)
        b.clean.numeric = clean.numeric.map(pick); b.clean.codes = clean.codes.map(pick)
        b.alteredMask = pick(alteredMask); b.textMask = pick(textMask); b.isFraud = pick(isFraud)
        b.fraudProbability = pick(fraudProbability); b.riskLogit = pick(riskLogit); b.chargebackDay = pick(chargebackDay)
        b.isDuplicate = pick(isDuplicate); b.isCompromised = pick(isCompromised); b.isResampled = pick(isResampled); b.activeKindsMask = pick(activeKindsMask)
        b.alternative = alternative.map(pick); b.cached = cached.map(pick); b.staleCustomer = pick(staleCustomer)
        return b
    }

    init(day: Int, count: Int, activeFailures: [ActiveFailure]) {
        self.day = day; self.count = count; self.activeFailures = activeFailures
        var mask: UInt8 = 0
        for a in activeFailures { if let k = FailureKind.allCases.firstIndex(of: a.kind) { mask |= 1 << UInt8(k) } }
        activeKinds = mask
        transactionID = []; secondOfDay = []; customerID = []
        clean = FeatureColumns(count: 0); served = clean  // the merge fills the columns
        alteredMask = []; textMask = []; isFraud = []; fraudProbability = []; riskLogit = []; chargebackDay = []
        isDuplicate = []; isCompromised = []; isResampled = []; activeKindsMask = []
        alternative = []; cached = []; staleCustomer = []
    }
}
