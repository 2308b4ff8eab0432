package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/** A piece of a {@link RawResponse}'s body that did not come with its head; {@code last} ends the response. */
public final class RawBody extends DefaultByteBufHolder {
    private final boolean last;

    RawBody(ByteBuf bytes, boolean last) {
        super(bytes);
        this.last = last;
    }

    public boolean last() {
        return last;
    }
}
