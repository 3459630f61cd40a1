package io.brook.client.admin;

/** Options for electLeaders. */
public final class ElectLeadersOptions extends AbstractOptions<ElectLeadersOptions> {}
