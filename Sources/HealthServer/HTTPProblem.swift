import Foundation
import HTTPTypes
import Hummingbird

/// A request the server refuses: the status, one line for the client and the parameter at
/// fault, answered as an ``APIErrorDocument``.
struct HTTPProblem: Error {
    var status: HTTPResponse.Status
    var message: String
    var parameter: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.parameter = parameter
        self.headers = headers
    }

    /// The JSON answer.
    func response() -> Response {
        let document = APIErrorDocument(status: status.code, error: message, parameter: parameter)
        let body = (try? HealthJSON.encoder().encode(document)) ?? Data("{\"status\":\(status.code)}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body + Data("\n".utf8))))
    }
}
