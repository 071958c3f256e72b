package dev.tandem.governance.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spawned child's effective policy: its parent's, narrowed by the child's own. Invariant: the
 * effective policy never holds fewer events, nor releases them more easily, than the parent's.
 * Every parent gate stays (in place, in order); a child gate with a parent gate's name replaces it
 * only if it is at least as strict in every field; new child gates follow the parent's; spawn
 * limits take the smaller value of each. All widenings are reported at once, not just the first.
 */
final class PolicyInheritance {

  private PolicyInheritance() {}

  static Inheritance inherit(Policy parent, Policy child) {
    Map<String, Gate> own = new LinkedHashMap<>();
    child.gates().forEach(g -> own.put(g.name(), g));
    List<Gate> gates = new ArrayList<>();
    List<String> widenings = new ArrayList<>();
    for (Gate inherited : parent.gates()) {
      Gate replacement = own.remove(inherited.name());
      if (replacement == null) {
        gates.add(inherited);
      } else {
        widenings.addAll(widenings(inherited, replacement));
        gates.add(replacement);
      }
    }
    gates.addAll(own.values());
    if (!widenings.isEmpty()) {
      return new Inheritance.Refused(widenings);
    }
    return new Inheritance.Effective(new Policy(gates, parent.spawn().narrowedBy(child.spawn())));
  }

  /** How {@code child} is looser than {@code parent}; empty when it is at least as strict. */
  static List<String> widenings(Gate parent, Gate child) {
    String at = "gate '" + child.name() + "'";
    List<String> found = new ArrayList<>();
    if (!child.match().coversAllOf(parent.match())) {
      found.add(at + ": match must hold every event the parent's holds (keep its types and conditions; add a new gate"
          + " to hold more)");
    }
    if (!child.approvers().within(parent.approvers())) {
      found.add(at + ": approvers may only be removed, not added (parent: roles " + parent.approvers().roles()
          + ", subjects " + parent.approvers().subjects() + ")");
    }
    if (child.quorum() < parent.quorum()) {
      found.add(at + ": quorum " + child.quorum() + " is lower than the parent's " + parent.quorum());
    }
    if (child.expiresAfter().compareTo(parent.expiresAfter()) > 0) {
      found.add(at + ": expiresAfter " + child.expiresAfter() + " is longer than the parent's " + parent.expiresAfter());
    }
    if (child.allowSelfApproval() && !parent.allowSelfApproval()) {
      found.add(at + ": allowSelfApproval may not be true when the parent's is false");
    }
    if (child.allowEdit() && !parent.allowEdit()) {
      found.add(at + ": allowEdit may not be true when the parent's is false");
    }
    if (child.onExpiry() == OnExpiry.APPROVE && parent.onExpiry() == OnExpiry.REJECT) {
      found.add(at + ": onExpiry may not be approve when the parent's is reject");
    }
    return found;
  }
}
