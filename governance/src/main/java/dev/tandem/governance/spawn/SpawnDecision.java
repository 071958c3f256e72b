package dev.tandem.governance.spawn;

/** Whether a parent may spawn one more child, and if not, which limit stands in the way. */
public sealed interface SpawnDecision {

  record Allowed() implements SpawnDecision {}

  /**
   * @param limit the limit's name in the policy: {@code maxDepth}, {@code maxChildren} or {@code maxDescendants}
   * @param max the limit's value
   * @param actual what the tree would have after this spawn (always greater than {@code max})
   */
  record Violation(String limit, int max, int actual) implements SpawnDecision {
    public String message() {
      return "spawning would exceed " + limit + " " + max + " (it would make " + actual + ")";
    }
  }
}
