/** The DerivaML icon: a dataset (stacked disks) feeding a run (arrow). */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <ellipse cx="8" cy="5" rx="6" ry="2.5"/>
    <path d="M2 7.5v4c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5v-4c0 1.4-2.7 2.5-6 2.5S2 8.9 2 7.5z"/>
    <path d="M2 13.5v4c0 1.4 2.7 2.5 6 2.5s6-1.1 6-2.5v-4c0 1.4-2.7 2.5-6 2.5s-6-1.1-6-2.5z"/>
    <path d="M15.5 9.5h4v-3l4.5 5-4.5 5v-3h-4z"/>
  </g>
</svg>`;

export const derivamlIcon = new LabIcon({ name: 'derivaml-jupyter:icon', svgstr });
