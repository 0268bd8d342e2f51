/// healthd's HTTP side: built by its own part of issue 10.
public enum HealthServerPlaceholder {}
