import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";

/**
 * One line of a metric widget, in the dashboard JSON's own form:
 * `[namespace, metricName, dimensionName, dimensionValue, ..., { label, stat, id, visible }]`,
 * or `[{ expression, label, id }]` for metric math.
 */
export type DashboardMetric = readonly (string | Readonly<Record<string, string | number | boolean>>)[];

export interface DashboardMetricWidget {
  readonly title: string;
  readonly metrics: readonly DashboardMetric[];
  /** Statistic of every line that does not name its own. */
  readonly stat: string;
  /** Seconds per data point. @default 60 */
  readonly period?: number;
  /** A horizontal line at the alarm threshold. @default - none */
  readonly threshold?: number;
}

export interface DashboardSection {
  /** Markdown heading of the section's text widget, e.g. `1. Foundation: dead-letter queues and NAT`. */
  readonly title: string;
  /** One line under the heading. @default - none */
  readonly description?: string;
  readonly widgets: readonly DashboardMetricWidget[];
}

export interface OperationsDashboardProps {
  /** Dashboard name. */
  readonly name: string;
  /** Region of every metric. */
  readonly region: string;
  /** Sections from top to bottom: a full-width text header, then its metric widgets, three to a row. */
  readonly sections: readonly DashboardSection[];
}

const GRID_WIDTH = 24;
const WIDGETS_PER_ROW = 3;
const WIDGET_WIDTH = GRID_WIDTH / WIDGETS_PER_ROW;
const WIDGET_HEIGHT = 6;
const HEADER_HEIGHT = 2;
const DEFAULT_PERIOD = 60;

/**
 * A CloudWatch dashboard laid out in sections (one per phase). The body is JSON whose string values may hold
 * Terraform references (ids read from other phases); they resolve to plain ids, so the body Terraform sends
 * stays valid JSON.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    if (props.sections.length === 0) {
      throw new Error(`OperationsDashboard ${props.name}: sections is empty; expected at least one section`);
    }
    this.dashboard = new CloudwatchDashboard(this, "Resource", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets: layOut(props.sections, props.region) }),
    });
  }
}

function layOut(sections: readonly DashboardSection[], region: string): object[] {
  const widgets: object[] = [];
  let y = 0;
  for (const section of sections) {
    const markdown = section.description === undefined ? `## ${section.title}` : `## ${section.title}\n${section.description}`;
    widgets.push({ type: "text", x: 0, y, width: GRID_WIDTH, height: HEADER_HEIGHT, properties: { markdown } });
    y += HEADER_HEIGHT;
    section.widgets.forEach((widget, index) => {
      widgets.push({
        type: "metric",
        x: (index % WIDGETS_PER_ROW) * WIDGET_WIDTH,
        y: y + Math.floor(index / WIDGETS_PER_ROW) * WIDGET_HEIGHT,
        width: WIDGET_WIDTH,
        height: WIDGET_HEIGHT,
        properties: {
          title: widget.title,
          region,
          view: "timeSeries",
          stat: widget.stat,
          period: widget.period ?? DEFAULT_PERIOD,
          metrics: widget.metrics,
          ...(widget.threshold === undefined ? {} : { annotations: { horizontal: [{ label: "alarm threshold", value: widget.threshold }] } }),
        },
      });
    });
    y += Math.ceil(section.widgets.length / WIDGETS_PER_ROW) * WIDGET_HEIGHT;
  }
  return widgets;
}
