public import Hummingbird
import NIOCore

/// The request context of healthd's endpoints: Hummingbird's core storage plus the peer's
/// address (recorded as the origin of a maintenance window planned over the API).
public struct HealthRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, or the channel's description when it has none.
    public let peer: String

    /// A context for one request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies larger than this are refused (the only body taken is a maintenance request).
    public var maxUploadSize: Int { 64 * 1024 }
}
