extension CalendarZone {
    /// Windows zone names (as Outlook and Exchange write TZID) to Olson names, after CLDR's
    /// windowsZones table (territory 001), lower-cased; also a few of Outlook's display names.
    /// "SE Asia Standard Time" is Asia/Ho_Chi_Minh here (CLDR's 001 is Asia/Bangkok, the same
    /// +0700 since 1975): the zone of this deployment's users.
    static let windowsNames: [String: String] = {
        let pairs: [(String, String)] = [
            ("UTC", "UTC"), ("Coordinated Universal Time", "UTC"),
            ("GMT Standard Time", "Europe/London"), ("Greenwich Standard Time", "Atlantic/Reykjavik"),
            ("W. Europe Standard Time", "Europe/Berlin"), ("Central Europe Standard Time", "Europe/Budapest"),
            ("Central European Standard Time", "Europe/Warsaw"), ("Romance Standard Time", "Europe/Paris"),
            ("E. Europe Standard Time", "Europe/Chisinau"), ("FLE Standard Time", "Europe/Kiev"),
            ("GTB Standard Time", "Europe/Bucharest"), ("Russian Standard Time", "Europe/Moscow"),
            ("Turkey Standard Time", "Europe/Istanbul"), ("Israel Standard Time", "Asia/Jerusalem"),
            ("Egypt Standard Time", "Africa/Cairo"), ("South Africa Standard Time", "Africa/Johannesburg"),
            ("W. Central Africa Standard Time", "Africa/Lagos"), ("E. Africa Standard Time", "Africa/Nairobi"),
            ("Morocco Standard Time", "Africa/Casablanca"),
            ("Arabian Standard Time", "Asia/Dubai"), ("Arab Standard Time", "Asia/Riyadh"),
            ("Iran Standard Time", "Asia/Tehran"), ("Afghanistan Standard Time", "Asia/Kabul"),
            ("Pakistan Standard Time", "Asia/Karachi"), ("West Asia Standard Time", "Asia/Tashkent"),
            ("India Standard Time", "Asia/Kolkata"), ("Sri Lanka Standard Time", "Asia/Colombo"),
            ("Nepal Standard Time", "Asia/Kathmandu"), ("Central Asia Standard Time", "Asia/Almaty"),
            ("Bangladesh Standard Time", "Asia/Dhaka"), ("Myanmar Standard Time", "Asia/Yangon"),
            ("SE Asia Standard Time", "Asia/Ho_Chi_Minh"), ("North Asia Standard Time", "Asia/Krasnoyarsk"),
            ("China Standard Time", "Asia/Shanghai"), ("North Asia East Standard Time", "Asia/Irkutsk"),
            ("Singapore Standard Time", "Asia/Singapore"), ("Taipei Standard Time", "Asia/Taipei"),
            ("W. Australia Standard Time", "Australia/Perth"), ("Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"),
            ("Tokyo Standard Time", "Asia/Tokyo"), ("Korea Standard Time", "Asia/Seoul"),
            ("Cen. Australia Standard Time", "Australia/Adelaide"), ("E. Australia Standard Time", "Australia/Brisbane"),
            ("AUS Eastern Standard Time", "Australia/Sydney"), ("New Zealand Standard Time", "Pacific/Auckland"),
            ("Hawaiian Standard Time", "Pacific/Honolulu"), ("Alaskan Standard Time", "America/Anchorage"),
            ("Pacific Standard Time", "America/Los_Angeles"), ("US Mountain Standard Time", "America/Phoenix"),
            ("Mountain Standard Time", "America/Denver"), ("Central Standard Time", "America/Chicago"),
            ("Central Standard Time (Mexico)", "America/Mexico_City"), ("Central America Standard Time", "America/Guatemala"),
            ("Canada Central Standard Time", "America/Regina"), ("Eastern Standard Time", "America/New_York"),
            ("SA Pacific Standard Time", "America/Bogota"), ("Venezuela Standard Time", "America/Caracas"),
            ("Atlantic Standard Time", "America/Halifax"), ("Pacific SA Standard Time", "America/Santiago"),
            ("E. South America Standard Time", "America/Sao_Paulo"), ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
            ("(UTC+07:00) Bangkok, Hanoi, Jakarta", "Asia/Ho_Chi_Minh"),
            ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
            ("(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai"),
            ("(UTC) Coordinated Universal Time", "UTC"),
        ]
        return Dictionary(pairs.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
    }()
}
