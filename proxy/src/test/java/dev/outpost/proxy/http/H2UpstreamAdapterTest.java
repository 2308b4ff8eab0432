package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header and trailer translation of an upstream HTTP/2 stream, behind Netty's client-side conversion. */
class H2UpstreamAdapterTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(false), new H2UpstreamAdapter());

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestLosesItsConnectionSpecificHeadersAndAsksForTrailers() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/test.Echo/Say?x=1");
        request.headers().set(HttpHeaderNames.HOST, "grpc.outpost.localhost").set(HttpHeaderNames.CONNECTION, "keep-alive, x-hop")
                .set("Keep-Alive", "timeout=5").set(HttpHeaderNames.TRANSFER_ENCODING, "chunked").set(HttpHeaderNames.UPGRADE, "h2c")
                .set(HttpHeaderNames.TE, "gzip").set("Outpost-Region", "iad").set("X-Custom", "1");

        channel.writeOutbound(request);
        Http2HeadersFrame frame = channel.readOutbound();

        Http2Headers headers = frame.headers();
        assertThat(frame.isEndStream()).isFalse();
        assertThat(headers.method()).hasToString("POST");
        assertThat(headers.path()).hasToString("/test.Echo/Say?x=1");
        assertThat(headers.authority()).hasToString("grpc.outpost.localhost");
        assertThat(headers.scheme()).hasToString("http");
        assertThat(headers.get("te")).hasToString("trailers");
        assertThat(headers.get("outpost-region")).hasToString("iad");
        assertThat(headers.get("x-custom")).hasToString("1");
        for (String gone : new String[] {"host", "connection", "keep-alive", "transfer-encoding", "upgrade"}) {
            assertThat(headers.contains(gone)).as(gone).isFalse();
        }
    }

    @Test
    void requestTrailersBecomeAFinalHeadersFrame() {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
        last.trailingHeaders().set("X-Checksum", "42");

        channel.writeOutbound(last);
        Http2DataFrame data = channel.readOutbound();
        Http2HeadersFrame trailers = channel.readOutbound();

        try {
            assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
            assertThat(data.isEndStream()).isFalse();
        } finally {
            data.release();
        }
        assertThat(trailers.isEndStream()).isTrue();
        assertThat(trailers.headers().get("x-checksum")).hasToString("42");
    }

    @Test
    void aResponseWithBodyAndTrailersReadsAsHeadContentAndTrailers() {
        channel.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").add("content-type", "application/grpc")));
        channel.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("msg", StandardCharsets.US_ASCII)));
        channel.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));

        HttpResponse head = channel.readInbound();
        HttpContent content = channel.readInbound();
        LastHttpContent last = channel.readInbound();

        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().names()).noneMatch(n -> n.startsWith("x-http2"));
        try {
            assertThat(content.content().toString(StandardCharsets.US_ASCII)).isEqualTo("msg");
        } finally {
            content.release();
        }
        assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("0");
        last.release();
    }

    @Test
    void aGrpcTrailersOnlyResponseKeepsOnlyItsContentTypeInTheHead() {
        Http2Headers only = new DefaultHttp2Headers().status("200").add("content-type", "application/grpc")
                .add("grpc-status", "5").add("grpc-message", "no widget").add("x-test-trailer", "bye");
        channel.writeInbound(new DefaultHttp2HeadersFrame(only, true));

        Object first = channel.readInbound();
        LastHttpContent last = channel.readInbound();

        assertThat(first).isInstanceOf(HttpResponse.class).isNotInstanceOf(LastHttpContent.class);
        HttpResponse head = (HttpResponse) first;
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().names()).containsExactly("content-type");
        assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("5");
        assertThat(last.trailingHeaders().get("grpc-message")).isEqualTo("no widget");
        assertThat(last.trailingHeaders().get("x-test-trailer")).isEqualTo("bye");
        assertThat(last.content().readableBytes()).isZero();
        last.release();
    }

    @Test
    void aPlainResponseEndingWithItsHeadersKeepsThemAndEndsEmpty() {
        channel.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204").add("x-app", "1"), true));

        HttpResponse head = channel.readInbound();
        LastHttpContent last = channel.readInbound();

        assertThat(head).isNotInstanceOf(LastHttpContent.class);
        assertThat(head.status().code()).isEqualTo(204);
        assertThat(head.headers().get("x-app")).isEqualTo("1");
        assertThat(last.trailingHeaders().isEmpty()).isTrue();
        ByteBuf body = last.content();
        assertThat(body.readableBytes()).isZero();
        ReferenceCountUtil.release(last);
    }

    @Test
    void remembersWhyTheInstanceResetTheStream() {
        assertThat(H2UpstreamAdapter.closedWhy(channel, "closed")).isEqualTo("closed");

        channel.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));

        assertThat(H2UpstreamAdapter.closedWhy(channel, "closed")).isEqualTo("reset the stream (RST_STREAM REFUSED_STREAM)");
    }
}
