package dev.outpost.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** The proxy's own answers (404, 502, 503, 400): one plain-text line a person can act on. */
public final class ErrorResponse {
    public static final String REQUEST_ID = "Outpost-Request-Id";

    private ErrorResponse() {}

    /** A complete response whose body is {@code message} and a newline, with Content-Length. */
    public static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String message,
                                      String requestId, boolean keepAlive) {
        var body = ByteBufUtil.writeUtf8(alloc, message + "\n");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (requestId != null) {
            response.headers().set(REQUEST_ID, requestId);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }
}
