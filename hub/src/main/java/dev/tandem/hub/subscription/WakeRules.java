package dev.tandem.hub.subscription;

import dev.tandem.hub.stream.Offsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks a callback, ack or release must pass (PROTOCOL 7.3), as pure functions of the
 * locked subscription row, the verified token and the request.
 */
final class WakeRules {

  private WakeRules() {}

  /**
   * Only the current wake may act: a valid token for this subscription (checked before), whose
   * generation and wake id, like the request's, are the current ones, and which is the token
   * the wake was given; the lease must not have run out. Anything else is 409 FENCED.
   */
  static void fence(SubscriptionRow row, CallbackTokens.Claims token, String tokenHash, WakeRequest request) {
    if (row.wakeId() == null) {
      throw ControlError.fenced("no wake is in flight for this subscription");
    }
    if (row.leaseExpired()) {
      throw ControlError.fenced("the wake's lease has expired");
    }
    if (request.generation() != row.generation() || token.generation() != row.generation()) {
      throw ControlError.fenced("generation " + request.generation() + " is not the current generation");
    }
    if (!row.wakeId().equals(request.wakeId()) || !row.wakeId().equals(token.wakeId())) {
      throw ControlError.fenced("wake " + request.wakeId() + " is not the current wake");
    }
    if (!tokenHash.equals(row.tokenHash())) {
      throw ControlError.fenced("the token is not the current wake's token");
    }
  }

  /**
   * The cursors after the acks: each names a linked stream and an offset between the current
   * cursor and the stream's tail (409 INVALID_OFFSET otherwise; a malformed offset is a 400).
   */
  static List<StreamLink> acked(List<WakeRequest.Ack> acks, List<StreamLink> links) {
    Map<String, StreamLink> byPath = new LinkedHashMap<>();
    links.forEach(link -> byPath.put(link.path(), link));
    Map<String, StreamLink> moved = new LinkedHashMap<>();
    for (WakeRequest.Ack ack : acks) {
      String path = GlobMatcher.trimSlashes(ack.stream());
      StreamLink link = byPath.get(path);
      if (link == null) {
        throw ControlError.invalidOffset("'" + path + "' is not a stream of this subscription");
      }
      long seq = Offsets.parse(ack.offset());
      if (seq < link.ackedSeq()) {
        throw ControlError.invalidOffset("offset " + ack.offset() + " is before the acked offset "
            + Offsets.format(link.ackedSeq()) + " of '" + path + "'");
      }
      if (seq > link.tailSeq()) {
        throw ControlError.invalidOffset("offset " + ack.offset() + " is past the tail "
            + Offsets.format(link.tailSeq()) + " of '" + path + "'");
      }
      StreamLink previous = moved.get(path);
      if (previous == null || seq > previous.ackedSeq()) {
        moved.put(path, link.ackedAt(seq));
      }
    }
    return new ArrayList<>(moved.values());
  }
}
