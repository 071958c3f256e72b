package dev.tandem.governance.policy;

import java.util.List;

/** What {@link Policy#inherit} decided: the child's effective policy, or why it was refused. */
public sealed interface Inheritance {

  /** The child's policy only narrows its parent's; {@code policy} is the one to enforce. */
  record Effective(Policy policy) implements Inheritance {}

  /** The child tried to widen its parent's rules; each entry names the gate and field. */
  record Refused(List<String> widenings) implements Inheritance {
    public Refused {
      widenings = List.copyOf(widenings);
    }

    public String message() {
      return String.join("; ", widenings);
    }
  }
}
