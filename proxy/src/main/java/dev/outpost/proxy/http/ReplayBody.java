package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The request body as it streamed to the instance, kept (by reference to the same buffers, not
 * copied) up to a limit so the request can be sent again: for an {@code Outpost-Replay} answer.
 * Past the limit it lets go of everything and the request can no longer be replayed.
 */
final class ReplayBody {
    private final int limit;
    private final CompositeByteBuf parts;
    private boolean overflowed;

    ReplayBody(ByteBufAllocator alloc, int limit) {
        this.limit = limit;
        this.parts = alloc.compositeBuffer(Integer.MAX_VALUE);
    }

    /** Keeps a view of {@code content}'s readable bytes; call before the content is written away. */
    void append(ByteBuf content) {
        if (overflowed || !content.isReadable()) {
            return;
        }
        if (parts.readableBytes() + (long) content.readableBytes() > limit) {
            overflowed = true;
            parts.removeComponents(0, parts.numComponents());
            parts.clear();
            return;
        }
        parts.addComponent(true, content.retainedDuplicate());
    }

    /** True while every byte so far is kept. */
    boolean complete() {
        return !overflowed;
    }

    /** The body to send again (a retained view; the caller's write releases it). */
    ByteBuf body() {
        return parts.isReadable() ? parts.retainedDuplicate() : Unpooled.EMPTY_BUFFER;
    }

    void release() {
        parts.release();
    }
}
