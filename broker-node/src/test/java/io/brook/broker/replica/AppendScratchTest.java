package io.brook.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AppendScratchTest {

  @Test
  void reusedPerThreadAndSizedToTheRequest() {
    ByteBuffer a = AppendScratch.forSize(100_000);
    assertTrue(a.isDirect());
    assertEquals(0, a.position());
    assertEquals(100_000, a.limit());
    a.put(new byte[10]);
    ByteBuffer b = AppendScratch.forSize(5);
    assertSame(a, b, "the thread's buffer is reused");
    assertEquals(0, b.position());
    assertEquals(5, b.limit());
  }

  @Test
  void growsWhenARequestIsLarger() {
    ByteBuffer small = AppendScratch.forSize(10);
    ByteBuffer large = AppendScratch.forSize(small.capacity() + 1);
    assertNotSame(small, large);
    assertEquals(small.capacity() + 1, large.limit());
    assertSame(large, AppendScratch.forSize(10));
  }

  @Test
  void hugeAppendsGetTheirOwnBuffer() {
    ByteBuffer cached = AppendScratch.forSize(1000);
    ByteBuffer huge = AppendScratch.forSize(AppendScratch.MAX_CACHED + 1);
    assertEquals(AppendScratch.MAX_CACHED + 1, huge.limit());
    assertSame(cached, AppendScratch.forSize(1000), "a huge append leaves the cached one alone");
  }

  @Test
  void threadsDoNotShare() throws Exception {
    ByteBuffer mine = AppendScratch.forSize(1000);
    ByteBuffer theirs = CompletableFuture.supplyAsync(() -> AppendScratch.forSize(1000)).get();
    assertNotSame(mine, theirs);
  }
}
