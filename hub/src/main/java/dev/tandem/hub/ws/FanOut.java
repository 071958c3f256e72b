package dev.tandem.hub.ws;

import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.Stamp;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Delivers committed batches from memory to the live subscribers of each stream. Subscribers
 * are grouped by the event loop that owns their connections; delivery hops once per group
 * (not once per subscriber), and the frame is encoded once per hop and shared.
 *
 * <p>Batches that arrive while a group's delivery is still waiting join that delivery, merged
 * into one frame. A delivery waits for its event loop, for {@code ws-fanout-interval-ms} after
 * the group's previous one started, and for as long as the previous one took, times
 * {@code (100 - ws-fanout-max-loop-percent) / ws-fanout-max-loop-percent}, after it ended. A
 * commit on a quiet stream goes out at once, while a busy stream sends each subscriber at most
 * one frame per interval, holding all that committed in it. A frame costs a system call per
 * subscriber whatever it holds, so on a busy stream this is what keeps delivery ahead of the
 * writers instead of one frame per commit per subscriber. The second wait grows with the
 * subscribers: a stream with thousands of them, whose delivery takes milliseconds of sends,
 * would otherwise send back to back and take its event loops from everything else on them.
 *
 * <p>Subscribers register before they read history (see {@link Subscription}), so a batch
 * committed during their catch-up is never missed: it is either in what they read or
 * delivered here, and they drop what they already have by offset.
 */
final class FanOut {

  private final Map<Long, Map<Context, Group>> streams = new ConcurrentHashMap<>();
  private final long intervalNanos;
  private final int maxLoopPercent;

  /**
   * @param intervalMs     least time between the starts of two deliveries to one group; 0 and a
   *                       {@code maxLoopPercent} of 100 deliver every commit
   * @param maxLoopPercent most of its event loop's time one group's deliveries take, 1–100
   */
  FanOut(long intervalMs, int maxLoopPercent) {
    if (maxLoopPercent < 1 || maxLoopPercent > 100) {
      throw new IllegalArgumentException("maxLoopPercent must be 1-100, got " + maxLoopPercent);
    }
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.maxLoopPercent = maxLoopPercent;
  }

  void register(Subscription subscription) {
    streams.computeIfAbsent(subscription.streamId(), id -> new ConcurrentHashMap<>())
        .computeIfAbsent(eventLoop(subscription), context -> new Group(context, intervalNanos, maxLoopPercent))
        .members.add(subscription);
  }

  void unregister(Subscription subscription) {
    streams.computeIfPresent(subscription.streamId(), (id, groups) -> {
      groups.computeIfPresent(eventLoop(subscription), (c, group) -> {
        group.members.remove(subscription);
        return group.members.isEmpty() ? null : group;
      });
      return groups.isEmpty() ? null : groups;
    });
  }

  /**
   * The context that stands for the subscriber's event loop. A connection's own context is
   * duplicated per request by Vert.x, so keying on it would make a group per connection.
   */
  private static Context eventLoop(Subscription subscription) {
    return ((ContextInternal) subscription.context()).unwrap();
  }

  void committed(CommittedBatch batch) {
    Map<Context, Group> groups = streams.get(batch.streamId());
    if (groups != null) {
      groups.values().forEach(group -> group.offer(batch));
    }
  }

  void deleted(long streamId) {
    Map<Context, Group> groups = streams.get(streamId);
    if (groups != null) {
      groups.values().forEach(group -> group.context.runOnContext(v -> group.members.forEach(Subscription::onDeleted)));
    }
  }

  void presence(String stream, PresenceRegistry.Diff diff) {
    Map<Context, Group> groups = streams.get(diff.streamId());
    if (groups == null) {
      return;
    }
    SharedFrame frame = SharedFrame.of(Frames.presence(stream, diff)); // encoded once for all
    groups.values().forEach(group -> group.context.runOnContext(v ->
        group.members.forEach(s -> s.connection().send(frame))));
  }

  Set<Long> streamIds() {
    return streams.keySet();
  }

  int subscriberCount() {
    int count = 0;
    for (Map<Context, Group> groups : streams.values()) {
      for (Group group : groups.values()) {
        count += group.members.size();
      }
    }
    return count;
  }

  /** One stream's subscribers on one event loop, and the batches waiting to reach them. */
  private static final class Group {
    final Context context;
    final Set<Subscription> members = ConcurrentHashMap.newKeySet();
    private final long intervalNanos;
    private final int maxLoopPercent;
    private List<CommittedBatch> pending = new ArrayList<>(); // guarded by this
    private boolean scheduled;                                // guarded by this
    private long due;                                         // guarded by this; System.nanoTime()

    Group(Context context, long intervalNanos, int maxLoopPercent) {
      this.context = context;
      this.intervalNanos = intervalNanos;
      this.maxLoopPercent = maxLoopPercent;
      this.due = System.nanoTime();
    }

    void offer(CommittedBatch batch) {
      long wait;
      synchronized (this) {
        pending.add(batch);
        if (scheduled) {
          return;
        }
        scheduled = true;
        wait = due - System.nanoTime();
      }
      schedule(wait);
    }

    private void schedule(long waitNanos) {
      if (waitNanos <= 0) {
        context.runOnContext(v -> deliver());
      } else {
        ((ContextInternal) context).setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)), id -> deliver());
      }
    }

    /**
     * On the group's event loop: everything that queued up, merged, one frame per run of
     * batches, encoded once for every member.
     */
    private void deliver() {
      long started = System.nanoTime();
      List<CommittedBatch> batches;
      synchronized (this) {
        if (due - started > 0) { // scheduled before the previous delivery ended and moved the due time
          schedule(due - started);
          return;
        }
        batches = pending;
        pending = new ArrayList<>();
        scheduled = false;
        due = started + intervalNanos; // offers made while this delivery runs wait at least this long
      }
      for (CommittedBatch batch : merge(batches)) {
        LiveBatch live = new LiveBatch(batch);
        for (Subscription subscription : members) {
          subscription.onLive(live);
        }
      }
      long ended = System.nanoTime();
      synchronized (this) {
        due = nextDue(started, ended, intervalNanos, maxLoopPercent);
      }
    }
  }

  /**
   * When the next delivery to a group may start, after one that ran from {@code started} to
   * {@code ended}: {@code intervalNanos} after it started, and late enough after it ended that
   * deliveries take at most {@code maxLoopPercent} of the event loop's time.
   */
  static long nextDue(long started, long ended, long intervalNanos, int maxLoopPercent) {
    long took = ended - started;
    long rest = took * (100 - maxLoopPercent) / maxLoopPercent;
    long byInterval = started + intervalNanos;
    long byShare = ended + rest;
    return byShare - byInterval > 0 ? byShare : byInterval; // nanoTime values compare by difference
  }

  /**
   * Joins batches that follow each other on the stream (each starts where the previous ended,
   * and the previous did not close it) into one; anything else stays as it came.
   */
  static List<CommittedBatch> merge(List<CommittedBatch> batches) {
    if (batches.size() < 2) {
      return batches;
    }
    List<CommittedBatch> merged = new ArrayList<>();
    Run run = new Run(batches.get(0));
    for (CommittedBatch next : batches.subList(1, batches.size())) {
      if (!run.closed && next.firstSeq() == run.first.firstSeq() + run.records.size()) {
        run.add(next);
      } else {
        merged.add(run.batch());
        run = new Run(next);
      }
    }
    merged.add(run.batch());
    return merged;
  }

  /** Consecutive batches being joined; stamps stay null unless some record has one. */
  private static final class Run {
    final CommittedBatch first;
    final List<Buffer> records;
    List<Stamp> stamps;
    boolean closed;

    Run(CommittedBatch first) {
      this.first = first;
      this.records = new ArrayList<>(first.records());
      this.stamps = first.stamps() == null ? null : new ArrayList<>(first.stamps());
      this.closed = first.closed();
    }

    void add(CommittedBatch next) {
      if (next.stamps() != null && stamps == null) {
        stamps = new ArrayList<>(java.util.Collections.nCopies(records.size(), Stamp.NONE));
      }
      if (stamps != null) {
        stamps.addAll(next.stamps() != null ? next.stamps()
            : java.util.Collections.nCopies(next.records().size(), Stamp.NONE));
      }
      records.addAll(next.records());
      closed = next.closed();
    }

    CommittedBatch batch() {
      return new CommittedBatch(first.streamId(), first.path(), first.contentType(), first.firstSeq(), records,
          closed, stamps);
    }
  }
}
