/** Typed progress events: the pipeline emits them, a renderer (src/ui/progress.ts) draws them. */
import type { NodeId } from './node-ids.ts';

export type ResourceState =
  | 'running'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'absent'
  | 'failed'
  | 'skipped';

export interface ResourceRef {
  id: NodeId;
  kind: string;
  name: string;
}

export type ProgressEvent =
  | { type: 'begin'; operation: 'setup' | 'cleanup'; resources: ResourceRef[] }
  | {
      type: 'resource';
      resource: ResourceRef;
      state: ResourceState;
      /** What changed, why it failed, or what it waited on. */
      detail?: string;
      arn?: string;
      elapsedMs?: number;
    }
  | { type: 'end'; operation: 'setup' | 'cleanup' };

export type EmitProgress = (event: ProgressEvent) => void;
