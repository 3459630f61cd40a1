package io.brook.controller.election;

/** How a partition leader is chosen (Kafka's election types). */
public enum ElectionMode {
  /** The preferred replica (first in assignment order), only if it is live and in the ISR. */
  PREFERRED,
  /** The first live replica, in assignment order, that is in the ISR. */
  ONLINE,
  /** As ONLINE; failing that the first live replica even outside the ISR (data may be lost). */
  UNCLEAN
}
