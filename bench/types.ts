/**
 * One section of the benchmark report. Every figure is printed next to a baseline measured in the
 * same run (these machines are noisy), so `ratio` is what a reader should compare across runs.
 */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** value / baseline value, when the row has a baseline in the same section. */
  ratio?: number;
  /** What the issue asks for, in words (e.g. ">= 30 % of ceiling"). */
  target?: string;
  /** Whether the target was met; undefined when the row has no target. */
  met?: boolean;
}

export interface BenchSection {
  title: string;
  rows: BenchRow[];
  notes?: string[];
}

export type Bench = () => Promise<BenchSection>;
